// Never hang silently (issue 11, section 1): a Raft that ping-pongs AppendEntries at one virtual instant,
// or floods the simulator with near-zero delays, fails with one line naming the loop, at a virtual time,
// with a bounded trace that ends with the loop itself; and `raftlab run --trace` replays it to the same
// point instead of streaming forever. The broken Rafts are variants of examples/simple-raft
// (test/fixtures/checks/simple-variants.mjs).

import type { TraceEvent } from "@raftlab/raft";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TRACE_ELIDE_AFTER_EVENTS, TRACE_TAIL_EVENTS } from "../src/harness/trace-guard.js";
import { runTest } from "../src/runner.js";
import { LIVELOCK_EVENTS } from "../src/sim/simulator.js";
import { STORM_EVENTS, STORM_TRACE_AFTER } from "../src/sim/livelock.js";
import { loadVariant, variantPath } from "./fixtures/checks/simple-variants.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");

const LIVELOCK =
  /^livelock at t=(\d+) ms: S\d⇄S\d exchanged [\d,]+ AppendEntries(, S\d⇄S\d exchanged [\d,]+ AppendEntries)* without time advancing \(200,000 events at one instant\)$/;

async function tracedRun(variant: string, test: string, seed: number): Promise<{ events: TraceEvent[]; result: Awaited<ReturnType<typeof runTest>> }> {
  const events: TraceEvent[] = [];
  const result = await runTest(test, { seed, impl: await loadVariant(variant), trace: (e) => events.push(e) });
  return { events, result };
}

describe("livelock: AppendEntries ping-pong at one virtual instant", () => {
  it("fails with one line naming the peers and the RPC, at a virtual time, not a wall-clock timeout", async () => {
    const r = await runTest("TestInitialElection3A", { seed: 1, impl: await loadVariant("resend-on-success") });
    expect(r.ok).toBe(false);
    expect(r.failure?.kind).toBe("timeout");
    expect(r.failure?.message).toMatch(LIVELOCK);
    const at = Number(LIVELOCK.exec(r.failure?.message ?? "")?.[1]);
    expect(Math.round(r.virtualMs)).toBe(at);
  }, 120_000);

  it("keeps a bounded trace: the lead-up, a note of what was left out, the last events of the loop, TestFail, TestEnd", async () => {
    const { events, result } = await tracedRun("resend-on-success", "TestInitialElection3A", 1);
    expect(result.failure?.message).toMatch(LIVELOCK);
    // Without the guard this run traces about 2 events per simulated event, 400,000 in all. With it: those
    // of the first TRACE_ELIDE_AFTER_EVENTS simulated events at the stuck instant, then the tail.
    expect(events.length).toBeLessThan(4 * TRACE_ELIDE_AFTER_EVENTS + TRACE_TAIL_EVENTS);
    const notes = events.filter((e) => e.op === "Note" && /trace events left out/.test(e.msg));
    expect(notes).toHaveLength(1);
    const noteAt = events.indexOf(notes[0] as TraceEvent);
    // The tail: TRACE_TAIL_EVENTS events of the loop itself (AppendEntries traffic at the stuck instant).
    expect(events.length - noteAt - 1).toBe(TRACE_TAIL_EVENTS + 2);
    const tail = events.slice(noteAt + 1, -2);
    expect(tail.every((e) => e.t === result.virtualMs)).toBe(true);
    expect(tail.filter((e) => /AppendEntries/.test(JSON.stringify(e))).length).toBeGreaterThan(TRACE_TAIL_EVENTS / 2);
    expect(events.at(-2)).toMatchObject({ op: "TestFail", msg: result.failure?.message });
    expect(events.at(-1)).toMatchObject({ op: "TestEnd" });
  }, 120_000);

  it("the same (test, seed) fails the same way, at the same point, with the same trace", async () => {
    const a = await tracedRun("resend-on-success", "TestBasicAgree3B", 2);
    const b = await tracedRun("resend-on-success", "TestBasicAgree3B", 2);
    expect(b.result.failure).toEqual(a.result.failure);
    expect(b.events.length).toBe(a.events.length);
    expect(JSON.stringify(b.events.slice(-50))).toBe(JSON.stringify(a.events.slice(-50)));
  }, 120_000);

  it("raftlab run --trace replays it and stops at the same point (the failure line, a bounded trace, exit 1)", async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
    const r0 = await runTest("TestInitialElection3A", { seed: 1, impl: await loadVariant("resend-on-success") });
    const r = spawnSync(process.execPath, [cli, "run", "TestInitialElection3A", "--seed", "1", "--impl", variantPath("resend-on-success"), "--trace"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 120_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`[timeout] ${r0.failure?.message ?? "?"}`);
    expect(r.stderr).toMatch(/replay: raftlab run TestInitialElection3A --seed 1 --impl \S+ --trace \| logviz/);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeLessThan(4 * TRACE_ELIDE_AFTER_EVENTS + TRACE_TAIL_EVENTS);
    const ends = lines.map((l) => JSON.parse(l) as TraceEvent).filter((e) => e.op === "TestFail" || e.op === "TestEnd");
    expect(ends.map((e) => e.op)).toEqual(["TestFail", "TestEnd"]);
    expect(ends[0]?.t).toBe(r0.virtualMs);
  }, 150_000);
});

describe("event storm: virtual time crawls in near-zero steps", () => {
  it("fails with one line naming the busiest peers, long before the run's event limit, with a bounded trace", async () => {
    const { events, result } = await tracedRun("heartbeat-every-10us", "TestInitialElection3A", 1);
    expect(result.ok).toBe(false);
    expect(result.failure?.kind).toBe("timeout");
    expect(result.failure?.message).toMatch(
      /^event storm at t=\d+ ms: 500,000 events within 1,000 ms of virtual time \(S\d ran [\d,]+(, S\d ran [\d,]+)*\): timers or messages with near-zero delays\?$/,
    );
    expect(events.length).toBeLessThan(STORM_TRACE_AFTER * 20 + TRACE_TAIL_EVENTS);
    expect(events.filter((e) => e.op === "Note" && /trace events left out/.test(e.msg)).length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toMatchObject({ op: "TestEnd" });
    expect(STORM_EVENTS).toBeLessThan(LIVELOCK_EVENTS * 10);
  }, 120_000);
});
