// End to end, in a real terminal (tmux): logviz owning its terminal. Keys keep working after the pipe's
// producer exits (a Node producer resets the terminal's mode as it exits), Ctrl-Z suspends and fg
// resumes with the screen restored, --follow starts over when the file is truncated or replaced, an
// unreadable file is one line and exit 1, a hostile file name cannot drive the terminal, and the lab's
// result lines in a piped trace are printed again on exit.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthTraceText } from "../src/synth.js";
import { CLI, ensureBuilt } from "./build.js";
import { bodyOf, CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const LOGVIZ = `${CLEAN_ENV} ${NODE} ${JSON.stringify(CLI)}`;
let dir = "";
let file = "";
const t = new Tmux("logviz-term");
const exitedWith = (code: number) => (s: string) => s.includes(`[exited ${code}]`);

/** A Node producer that writes `file` to stdout, then stays `ms` before exiting. Started in the same
 * terminal as logviz, it saves the terminal's mode (canonical, echo) and restores it when it exits. */
const producer = (ms: number): string =>
  `${NODE} -e ${JSON.stringify(`process.stdout.write(require("fs").readFileSync(${JSON.stringify(file)})); setTimeout(() => {}, ${ms})`)}`;

/** Keys after the producer is gone: g goes to the top, / searches, q quits with status 0. */
async function keysStillWork(): Promise<void> {
  await t.waitFor((s) => statusOf(s).includes("6000/6000 lines") && statusOf(s).includes("end of input"), "the whole trace and the end of the pipe");
  t.keys("g");
  await t.waitFor((s) => bodyOf(s)[0]?.includes("TestBegin") === true, "g to reach the top");
  t.keys("/");
  t.type("Restart");
  t.keys("Enter");
  const s = await t.waitFor((x) => statusOf(x).includes("/Restart"), "the search to apply");
  expect(s).not.toMatch(/^g\/Restart/m); // nothing echoed by a terminal in canonical mode
  t.keys("q");
  await t.waitFor(exitedWith(0), "logviz to quit with status 0");
}

describe.skipIf(!hasTmux)("logviz owns its terminal (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-term-"));
    file = join(dir, "trace.jsonl");
    writeFileSync(file, synthTraceText({ lines: 6000, peers: 3, seed: 5, testLength: 2000 }));
    t.stderrFile = join(dir, "stderr");
  });
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keys work after a Node producer that exits at once", async () => {
    t.start(`${producer(0)} | ${LOGVIZ} 2>${t.stderrFile}`);
    await keysStillWork();
  });

  it("keys work after a Node producer that stays a while, then exits (after logviz took the keyboard)", async () => {
    t.start(`${producer(2500)} | ${LOGVIZ} 2>${t.stderrFile}`);
    await keysStillWork();
  });

  it("Ctrl-Z suspends with the terminal restored; fg brings the view back and keys work", async () => {
    t.startShell();
    await t.waitFor((s) => /^\$/m.test(s), "the shell prompt");
    t.type(`${LOGVIZ} ${JSON.stringify(file)} 2>${t.stderrFile}`);
    t.keys("Enter");
    await t.waitFor((s) => statusOf(s).includes("6000/6000 lines"), "the first screen");
    t.keys("C-z");
    // Back in the shell, on the normal screen: the job is stopped, and the command line typed before is
    // visible again (the alternate screen was left).
    let s = await t.waitFor((x) => /Stopped/.test(x) && x.includes("2>"), "the job to stop and the shell to return");
    expect(s).not.toContain("6000/6000 lines");
    // The shell reads a line with echo: the terminal is back in canonical mode.
    t.type("fg");
    t.keys("Enter");
    s = await t.waitFor((x) => statusOf(x).includes("6000/6000 lines"), "the view to come back");
    expect(s).toMatch(/ms term topc │S0 .*│S1 .*│S2/);
    t.keys("G");
    await t.waitFor((x) => x.includes("TestEnd"), "G to reach the end (keys work after resuming)");
    t.keys("q");
    await t.waitFor((x) => !x.includes("6000/6000 lines") && /^\$ ?$/m.test(x.trimEnd().split("\n").at(-1) ?? ""), "logviz to quit back to the shell");
  });

  it("--follow starts over when the file is truncated or replaced, and says so", async () => {
    const f = join(dir, "followed.jsonl");
    writeFileSync(f, synthTraceText({ lines: 3000, peers: 3, seed: 7, testLength: 1000 }));
    t.start(`${LOGVIZ} --follow ${JSON.stringify(f)} 2>${t.stderrFile}`);
    await t.waitFor((s) => statusOf(s).includes("3000/3000 lines"), "the followed file");
    // Truncated and rewritten shorter, in place.
    writeFileSync(f, synthTraceText({ lines: 1200, peers: 5, seed: 8, testLength: 1000 }));
    let s = await t.waitFor((x) => statusOf(x).includes("1200/1200 lines"), "the truncated file read from its start");
    expect(statusOf(s)).toContain("file truncated");
    expect(s).toMatch(/│S4/); // the new file's five peers, not the old three
    // Replaced by a rename (a new inode), the same length as before.
    const next = join(dir, "next.jsonl");
    writeFileSync(next, synthTraceText({ lines: 1200, peers: 4, seed: 9, testLength: 1000 }));
    renameSync(next, f);
    s = await t.waitFor((x) => statusOf(x).includes("file replaced") && statusOf(x).includes("1200/1200 lines"), "the replaced file read from its start");
    expect(s).not.toMatch(/│S4/);
    t.keys("q");
    await t.waitFor(exitedWith(0), "logviz to quit with status 0");
  });

  it("an unreadable file is one line and exit 2 (a usage error, as in every command) in the viewer too, before any screen is drawn", async () => {
    t.start(`${LOGVIZ} ${JSON.stringify(join(dir, "missing.jsonl"))}`);
    let s = await t.waitFor(exitedWith(2), "logviz to exit with status 2");
    expect(s).toContain(`logviz: cannot open ${join(dir, "missing.jsonl")}: no such file`);
    expect(s).not.toContain("lines │");
    t.start(`${LOGVIZ} ${JSON.stringify(dir)}`);
    s = await t.waitFor(exitedWith(2), "logviz to exit with status 2 on a directory");
    expect(s).toContain("is a directory");
  });

  it("the header shows a hostile file name escaped: it cannot set the window title", async () => {
    const hostile = join(dir, "x\x1b]2;PWNED\x07.jsonl");
    writeFileSync(hostile, synthTraceText({ lines: 200, peers: 3, seed: 5, testLength: 100 }));
    const before = t.tmux("display-message", "-p", "#{pane_title}");
    // The name reaches logviz through a shell variable, as a user's glob would pass it.
    t.start(`f=$(printf '%s' ${JSON.stringify(dir)}/x*.jsonl); ${LOGVIZ} "$f"`);
    const s = await t.waitFor((x) => statusOf(x).includes("200/200 lines"), "the hostile-named file");
    expect(s.split("\n")[0]).toContain("x\\x1b]2;PWNED\\x07.jsonl");
    expect(t.tmux("display-message", "-p", "-t", t.session, "#{pane_title}")).not.toContain("PWNED");
    expect(before).not.toContain("PWNED");
    t.keys("q");
    await t.waitFor(exitedWith(0), "logviz to quit");
  });

  it("prints the lab's result lines from a piped trace again when it exits", async () => {
    const trace = join(dir, "results.jsonl");
    const out = (t: number, msg: string): string => JSON.stringify({ t, src: -1, term: -1, state: "none", op: "Output", topic: "TEST", msg });
    writeFileSync(
      trace,
      [
        out(0, "Test (3A): initial election ..."),
        synthTraceText({ lines: 300, peers: 3, seed: 5, testLength: 300 }).trimEnd(),
        out(3000, "  ... Passed --   3.0  3   56    6412    0"),
        out(3000, "1 passed, 0 failed"),
      ].join("\n") + "\n",
    );
    t.start(`cat ${JSON.stringify(trace)} | ${LOGVIZ}`);
    let s = await t.waitFor((x) => statusOf(x).includes("end of input"), "the piped trace");
    expect(s).toMatch(/── Output +\.\.\. Passed --/); // a full-width harness row in the view
    t.keys("q");
    s = await t.waitFor(exitedWith(0), "logviz to quit");
    const after = s.slice(0, s.indexOf("[exited 0]")).trimEnd().split("\n").slice(-3);
    expect(after).toEqual(["Test (3A): initial election ...", "  ... Passed --   3.0  3   56    6412    0", "1 passed, 0 failed"]);
  });
});
