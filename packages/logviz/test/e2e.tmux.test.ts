// End to end: the real built binary in a real terminal (tmux), driven with send-keys and read back
// with capture-pane.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthTraceText } from "../src/synth.js";
import { CLI, ensureBuilt } from "./build.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const SERVER = `logviz-e2e-${process.pid}`;
/** Each start() gets a new session (killing one and creating the next can race the server's exit). */
let sessionNo = 0;
let SESSION = `${SERVER}-0`;
/** A private tmux server: the test never touches the user's own sessions or their environment. */
const SOCKET_PATH = join(tmpdir(), `${SERVER}.sock`);
const SOCKET = ["-S", SOCKET_PATH];
const NODE = JSON.stringify(process.execPath);
let dir = "";
let file = "";

const tmux = (...args: string[]): string => execFileSync("tmux", [...SOCKET, ...args], { encoding: "utf8" });
const screen = (escapes = false): string => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", SESSION);
const keys = (...k: string[]): void => void tmux("send-keys", "-t", SESSION, ...k);
const alive = (): boolean => spawnSync("tmux", [...SOCKET, "has-session", "-t", SESSION]).status === 0;

async function waitFor(pred: (s: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let s = "";
  while (Date.now() < end) {
    s = alive() ? screen() : "";
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  const err = existsSync(join(dir, "stderr")) ? readFileSync(join(dir, "stderr"), "utf8") : "";
  throw new Error(`timed out waiting for ${what}; screen:\n${s}\nstderr:\n${err}`);
}

/** Body rows: the lines between the two header lines and the status line. */
const body = (s: string): string[] =>
  s
    .split("\n")
    .slice(2)
    .filter((l) => /^\s+\d+\.\d s? ?/.test(l));

/** Runs `cmd` in a fresh 160x40 session; the shell stays to report how logviz exited. */
function start(cmd: string): void {
  SESSION = `${SERVER}-${++sessionNo}`;
  tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "40", `${cmd} 2>${join(dir, "stderr")}; echo "[logviz exited $?]"; sleep 60`);
}
const exited = (s: string): boolean => s.includes("[logviz exited 0]");

describe.skipIf(!hasTmux)("logviz in a real terminal (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-e2e-"));
    file = join(dir, "trace.jsonl");
    writeFileSync(file, synthTraceText({ lines: 6000, peers: 3, seed: 5, testLength: 2000 }));
  });
  afterAll(() => {
    spawnSync("tmux", [...SOCKET, "kill-server"]);
    rmSync(SOCKET_PATH, { force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("opens a file, scrolls, filters by term and topic, searches, and quits", async () => {
    start(`env -u NO_COLOR ${NODE} ${JSON.stringify(CLI)} ${JSON.stringify(file)}`);
    let s = await waitFor((x) => x.includes("6000/6000 lines"), "the first screen");
    expect(s).toMatch(/ms term topc │S0 .*│S1 .*│S2/);
    expect(s).toContain("── TestBegin");
    const firstRow = body(s)[0];

    // Scrolling: a page down moves the view.
    keys("PageDown");
    s = await waitFor((x) => body(x)[0] !== firstRow, "the view to scroll");
    keys("G");
    s = await waitFor((x) => x.includes("TestEnd"), "the end of the trace");

    // Term filter: every row with a term shows T3.
    keys("g", "t", "3", "Enter");
    s = await waitFor((x) => /\d+\/6000 lines │ term 3/.test(x), "the term filter");
    const terms = body(s)
      .map((l) => /^\s+\S+ (T\d+)?/.exec(l)?.[1])
      .filter(Boolean);
    expect(terms.length).toBeGreaterThan(5);
    expect(new Set(terms)).toEqual(new Set(["T3"]));

    // Topic filter on top: only VOTE rows (and pinned test boundaries).
    keys("T", "+VOTE", "Enter");
    s = await waitFor((x) => x.includes("term 3  just VOTE"), "the topic filter");
    const topics = body(s)
      .filter((l) => !/── Test(Begin|End)/.test(l)) // test boundaries are pinned
      .map((l) => /^\s+\S+ +(?:T\d+)? +([A-Z0-9]{4}) /.exec(l)?.[1]);
    expect(topics.length).toBeGreaterThan(3);
    expect(new Set(topics)).toEqual(new Set(["VOTE"]));

    // Clear, then search: the cursor (inverse video) lands on a matching row.
    keys("c", "/", "Restart", "Enter");
    s = await waitFor((x) => x.includes("/Restart"), "the search");
    const selected = screen(true)
      .split("\n")
      .find((l) => /\x1b\[(?:\d+;)*7m/.test(l));
    expect(selected).toContain("Restart");
    keys("n");

    // Resize: the layout is redone for the new width (all three columns and the status line fit).
    tmux("resize-window", "-t", SESSION, "-x", "100", "-y", "30");
    s = await waitFor(
      (x) => /│S0 .*│S1 .*│S2/.test(x.split("\n")[1] ?? "") && /\?:help q:quit\s*$/m.test(x) && x.split("\n").length <= 31,
      "the layout to follow a resize",
    );
    for (const l of s.split("\n")) expect(l.length).toBeLessThanOrEqual(100);
    keys("q");
    await waitFor(exited, "logviz to quit with status 0");
  });

  it("reads a pipe and takes keys from the terminal", async () => {
    start(`cat ${JSON.stringify(file)} | env -u NO_COLOR ${NODE} ${JSON.stringify(CLI)}`);
    let s = await waitFor((x) => x.includes("6000/6000 lines") && x.includes("end of input"), "the piped trace");
    // Piped input starts in follow mode at the end; g goes to the top.
    keys("g");
    s = await waitFor((x) => body(x)[0]?.includes("TestBegin") === true, "the top");
    expect(s).toContain("logviz  stdin");
    keys("q");
    await waitFor(exited, "logviz to quit with status 0");
  });
});
