// End to end, in a real terminal (tmux): a live stream much longer than --max-rows runs in bounded memory.
// logviz reads 150k long trace lines from a pipe under `node --max-old-space-size=64`; kept whole, those
// rows need several times that heap (without --max-rows the same run dies of "heap out of memory"), so the
// viewer surviving to the end of the input, with every row past the bound counted as dropped, shows the
// store, the views over it and Ink/React keep nothing per row or per frame. Nothing is timed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";
import { CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const LINES = 150_000;
const MAX_ROWS = 1000;
let dir = "";
let file = "";
const t = new Tmux("logviz-mem");

describe.skipIf(!hasTmux)("logviz keeps a long live stream in bounded memory (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-mem-"));
    file = join(dir, "long.jsonl");
    const pad = "x".repeat(240);
    const out: string[] = [];
    for (let i = 0; i < LINES; i++) {
      out.push(JSON.stringify({ t: i, src: i % 3, term: 1 + (i >> 12), state: "follower", op: "Log", topic: "INFO", msg: `line ${i} ${pad}` }));
    }
    writeFileSync(file, out.join("\n") + "\n");
    t.stderrFile = join(dir, "stderr");
  });
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`reads ${LINES} lines with --max-rows ${MAX_ROWS} under a 64 MB heap, then quits with status 0`, async () => {
    t.start(`cat ${JSON.stringify(file)} | ${CLEAN_ENV} ${NODE} --max-old-space-size=64 ${JSON.stringify(CLI)} --max-rows ${MAX_ROWS} 2>${t.stderrFile}`);
    // Generous: loading Ink and parsing 50 MB on a busy 2-core machine can take a while.
    const s = await t.waitFor((x) => statusOf(x).includes("end of input") || x.includes("[exited"), "the end of the input", 90_000);
    expect(s).not.toContain("[exited");
    const status = statusOf(s);
    const shown = /(\d+)\/(\d+) lines/.exec(status);
    const dropped = /(\d+) oldest dropped \(--max-rows 1000\)/.exec(status);
    expect(shown, status).not.toBeNull();
    expect(dropped, status).not.toBeNull();
    const kept = Number(shown![2]);
    expect(kept).toBeGreaterThanOrEqual(MAX_ROWS);
    expect(kept).toBeLessThanOrEqual(MAX_ROWS + (MAX_ROWS >> 3));
    expect(kept + Number(dropped![1])).toBe(LINES);
    t.keys("q");
    await t.waitFor((x) => x.includes("[exited 0]"), "logviz to quit with status 0");
  }, 150_000);
});
