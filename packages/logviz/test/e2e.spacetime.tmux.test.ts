// End to end, in a real terminal (tmux): the space-time view (`v`) of the built binary on a trace of
// our Raft, on the tester's RPC trace of an uninstrumented Raft, and on a dslogs text log; the cursor,
// a term filter, search and `e` working in it.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";
import { SMALL_TRACE } from "./helpers.js";
import { realTrace, rpcTrace } from "./spacetime-traces.js";
import { CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const LOGVIZ = `${CLEAN_ENV} ${NODE} ${JSON.stringify(CLI)}`;
const t = new Tmux("logviz-spacetime");
let dir = "";

/** The whole file is in (a file stays watched, so the status says "live", not "end of input"). */
const loaded = (s: string): boolean => /\b(\d+)\/\1 lines/.test(statusOf(s)) && !statusOf(s).startsWith(" 0/");
const arrows = (s: string): number => s.match(/[▶◀]/g)?.length ?? 0;
/** The line the cursor is on (marked `>` in the gutter without colour). */
const cursorLine = (s: string): string => s.split("\n").find((l) => l.startsWith(">")) ?? "";

describe.skipIf(!hasTmux)("the space-time view in a real terminal (tmux)", () => {
  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-st-"));
    writeFileSync(join(dir, "ours.jsonl"), (await realTrace("TestReElection3A", 3)).text);
    writeFileSync(join(dir, "rpc.jsonl"), (await rpcTrace("TestReElection3A", 3)).text);
    writeFileSync(join(dir, "small.jsonl"), SMALL_TRACE);
    copyFileSync(join(import.meta.dirname, "corpus", "mixed.log"), join(dir, "mixed.log"));
  }, 120_000);
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("v shows lanes and arrows; a term filter, search and v again work", async () => {
    t.start(`NO_COLOR=1 ${LOGVIZ} ${join(dir, "ours.jsonl")}`, 150, 45);
    await t.waitFor((s) => loaded(s), "the trace to load");
    t.keys("g", "v");
    let s = await t.waitFor((x) => x.includes("space-time") && arrows(x) > 0, "the space-time view with arrows");
    expect(s.split("\n")[1]).toMatch(/S0\s+S1\s+S2/);
    expect(s).toMatch(/[─│┌┐└┘]/);
    t.keys("t");
    t.type("2");
    t.keys("Enter");
    s = await t.waitFor((x) => statusOf(x).includes("term 2"), "the term filter");
    const terms = s
      .split("\n")
      .slice(2, -1)
      .filter((l) => /^[ >]\s*\d+\.\d/.test(l))
      .map((l) => l.slice(10, 14).trim());
    expect(terms.length).toBeGreaterThan(5);
    for (const term of terms) expect(["", "T2"]).toContain(term);
    t.keys("/");
    t.type("AE reply");
    t.keys("Enter");
    s = await t.waitFor((x) => /match 1 of \d+/.test(statusOf(x)), "the search");
    expect(cursorLine(s)).toContain("AE reply");
    t.keys("v");
    s = await t.waitFor((x) => !x.includes("space-time"), "v back to the columns");
    expect(s.split("\n")[1]).toContain("term");
    t.keys("q");
    await t.waitFor((x) => x.includes("[exited 0]"), "logviz to quit");
  }, 120_000);

  it("e goes to the failure in the view; a lost message ends in ✕", async () => {
    t.start(`NO_COLOR=1 ${LOGVIZ} ${join(dir, "small.jsonl")}`, 140, 30);
    await t.waitFor((s) => loaded(s), "the trace to load");
    t.keys("v", "g", "e");
    const s = await t.waitFor((x) => cursorLine(x).includes("Violation"), "e to reach the violation");
    expect(s).toContain("✕");
    t.keys("q");
  }, 120_000);

  it("draws the tester's RPC trace of an uninstrumented Raft, and a dslogs log where m pairs", async () => {
    t.start(`NO_COLOR=1 ${LOGVIZ} ${join(dir, "rpc.jsonl")}`, 140, 40);
    await t.waitFor((s) => loaded(s), "the RPC trace to load");
    t.keys("g", "v");
    await t.waitFor((x) => x.includes("space-time") && arrows(x) > 0, "arrows for the RPC trace");
    t.keys("q");
    t.start(`NO_COLOR=1 ${LOGVIZ} ${join(dir, "mixed.log")}`, 140, 40);
    await t.waitFor((s) => loaded(s), "the dslogs log to load");
    t.keys("g", "v");
    await t.waitFor((x) => x.includes("space-time") && arrows(x) > 0 && x.includes("S10"), "arrows for the dslogs log");
    t.keys("q");
  }, 120_000);
});
