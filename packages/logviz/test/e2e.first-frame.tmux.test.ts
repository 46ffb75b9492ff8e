// Issue 19 point 5: `logviz FILE` paints its first frame from the file's first bytes before the CLI,
// Ink or React load (bin/logviz.js + first-frame.ts), and the CLI then paints its own first frame over
// it. The two must be the same frame, or the screen would change under the user as the CLI takes over.
// The terminal's raw output is recorded with script(1) inside tmux (a real terminal of 200x50), and
// the two paints are compared byte for byte. Nothing here is timed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEAD_BYTES } from "../src/first-frame.js";
import { synthDslogsText } from "../src/synth-dslogs.js";
import { ensureBuilt, PKG } from "./build.js";
import { CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const BIN = join(PKG, "bin", "logviz.js");
const hasScript = spawnSync("script", ["--version"]).status === 0;
const t = new Tmux("logviz-first-frame");
let dir = "";

const ENTER = "\x1b[?1049h";
const HOME = "\x1b[H";

/** The frames painted whole (each `ESC[H` + lines ending in `ESC[K`), in order, from a raw recording. */
function paints(raw: string): string[] {
  // The terminal's output processing turns each "\n" into "\r\n".
  return raw
    .replaceAll("\r\r\n", "\r\n")
    .split(HOME)
    .slice(1)
    .filter((seg) => seg.includes("\x1b[K\r\n"))
    .map((seg) => seg.slice(0, seg.lastIndexOf("\x1b[K\r\n") + 5));
}

describe.skipIf(!hasTmux || !hasScript)("logviz first frame from the file's head (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-first-frame-"));
    t.stderrFile = join(dir, "stderr");
  });
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the bootstrap's frame is the CLI's first frame, painted once into the alternate screen", async () => {
    const file = join(dir, "three-styles.log");
    const text = synthDslogsText({ lines: 4000, seed: 5, styles: ["explicit", "arrow", "plain"] });
    expect(Buffer.byteLength(text)).toBeGreaterThan(HEAD_BYTES * 2);
    writeFileSync(file, text);
    const raw = join(dir, "raw");
    const cmd = `${CLEAN_ENV} ${NODE} ${JSON.stringify(BIN)} ${JSON.stringify(file)} 2>${t.stderrFile}`;
    t.start(`script -q -c ${JSON.stringify(cmd)} ${JSON.stringify(raw)}`, 200, 50);
    await t.waitFor((s) => statusOf(s).includes("4000/4000 lines"), "the whole file to be read");
    t.keys("q");
    await t.waitFor((s) => s.includes("[exited"), "logviz to exit");
    const out = readFileSync(raw, "latin1");
    // One switch to the alternate screen: the CLI kept the bootstrap's.
    expect(out.split(ENTER).length - 1).toBe(1);
    const [early, cli] = paints(out.slice(out.indexOf(ENTER)));
    expect(early).toBeDefined();
    expect(early).toContain("=== RUN   TestInitialElection3A");
    expect(early?.split("\r\n").length).toBeGreaterThanOrEqual(50);
    expect(cli).toBe(early);
  });
});
