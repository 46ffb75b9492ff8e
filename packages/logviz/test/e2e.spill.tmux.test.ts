// End to end, in a real terminal (tmux), issue 18: `RAFT_TRACE=1 pnpm test | logviz` is a finite pipe
// longer than the memory budget, and nothing of it may be lost. 400k long trace lines are piped into
// logviz under `node --max-old-space-size=96` with --memory-rows 20000: kept whole in memory those rows
// need several times that heap, so the viewer reaching the end of the input with all 400000 rows, none
// dropped, and then showing the first row (g) and finding an early one by search, shows the old rows'
// text waits in the temporary file and comes back on demand. Nothing is timed.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";
import { CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const LINES = 400_000;
let dir = "";
let file = "";
const t = new Tmux("logviz-spill");

describe.skipIf(!hasTmux)("logviz keeps every row of a long finite pipe, spilling old rows' text (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-spill-e2e-"));
    file = join(dir, "long.jsonl");
    const pad = "x".repeat(240);
    const out: string[] = [];
    for (let i = 0; i < LINES; i++) {
      out.push(
        JSON.stringify({ t: i, src: i % 3, term: 1 + (i >> 12), state: "follower", op: "Log", topic: "INFO", msg: `row-${String(i).padStart(6, "0")} ${pad}` }),
      );
    }
    writeFileSync(file, out.join("\n") + "\n");
    t.stderrFile = join(dir, "stderr");
  });
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`reads ${LINES} piped lines under a 96 MB heap, drops none, and the first rows come back (g, search)`, async () => {
    // The spill file lives in TMPDIR: a folder of our own, to see that nothing is left there.
    const spillDir = join(dir, "tmp");
    rmSync(spillDir, { recursive: true, force: true });
    writeFileSync(join(dir, ".keep"), "");
    t.start(
      `mkdir -p ${JSON.stringify(spillDir)} && cat ${JSON.stringify(file)} | ${CLEAN_ENV} TMPDIR=${JSON.stringify(spillDir)} ${NODE} --max-old-space-size=96 ${JSON.stringify(CLI)} --memory-rows 20000 2>${t.stderrFile}`,
    );
    const s = await t.waitFor((x) => statusOf(x).includes("end of input") || x.includes("[exited"), "the end of the input", 240_000);
    expect(s).not.toContain("[exited");
    const status = statusOf(s);
    expect(status).toContain(`${LINES}/${LINES} lines`);
    expect(status).not.toContain("dropped");
    expect(readdirSync(spillDir), "the spill file is unlinked as soon as it is opened").toEqual([]);
    // The first row, long since spilled.
    t.keys("g");
    await t.waitFor((x) => x.includes("row-000000") && x.includes("row-000001"), "the first rows after g", 60_000);
    // An early row, found by search from the end.
    t.keys("G");
    t.type("/row-000123 ");
    t.keys("Enter");
    await t.waitFor((x) => x.includes("row-000123") && /match 1 of 1/.test(statusOf(x)), "the search to find row 123", 120_000);
    t.keys("q");
    await t.waitFor((x) => x.includes("[exited 0]"), "logviz to quit with status 0");
  }, 420_000);
});
