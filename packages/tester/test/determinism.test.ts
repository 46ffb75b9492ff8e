// Determinism: a run is a function of (test, seed). The same seed gives a byte-identical trace, a
// different seed a different one, pacing changes nothing, and a failed run leaks nothing into the next.

import { formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest } from "../src/runner.js";
import { make as simpleRaft } from "../../../examples/simple-raft/raft.js";
import { throwsInHandler } from "./doubles.js";

async function traceOf(test: string, seed: number, impl?: MakeRaft, pace?: number): Promise<string> {
  const lines: string[] = [];
  const r = await runTest(test, {
    seed,
    trace: (e: TraceEvent) => lines.push(formatTraceEvent(e)),
    ...(impl !== undefined ? { impl } : {}),
    ...(pace !== undefined ? { pace } : {}),
  });
  lines.push(JSON.stringify({ ok: r.ok, virtualMs: r.virtualMs, rpcs: r.rpcs, bytes: r.bytes, cmds: r.cmds }));
  return lines.join("\n");
}

const PAIRS: readonly [string, number][] = [
  ["TestInitialElection3A", 1],
  ["TestBackup3B", 4],
  ["TestFigure8Unreliable3C", 3],
  ["TestUnreliableChurn3C", 5],
  ["TestSnapshotInstallUnCrash3D", 2],
];

describe("determinism", () => {
  for (const [test, seed] of PAIRS) {
    it(`${test} seed ${seed}: the same trace twice, byte for byte; another seed differs`, async () => {
      const a = await traceOf(test, seed);
      const b = await traceOf(test, seed);
      expect(a.length).toBeGreaterThan(10_000);
      expect(b === a).toBe(true);
      const c = await traceOf(test, seed + 1);
      expect(c === a).toBe(false);
    });
  }

  it("holds for an async/await-style Raft too (examples/simple-raft, no tracing of its own)", async () => {
    const a = await traceOf("TestFigure8Unreliable3C", 9, simpleRaft);
    expect(await traceOf("TestFigure8Unreliable3C", 9, simpleRaft)).toBe(a);
    expect(await traceOf("TestFigure8Unreliable3C", 10, simpleRaft)).not.toBe(a);
  });

  it("tracing changes nothing: the same results with the trace off", async () => {
    const withTrace = await runTest("TestFigure8Unreliable3C", { seed: 3, trace: () => {} });
    const without = await runTest("TestFigure8Unreliable3C", { seed: 3 });
    expect({ ...without, wallMs: 0 }).toEqual({ ...withTrace, wallMs: 0 });
  });

  it("pacing on the wall clock gives the same run", async () => {
    // TestInitialElection3A is ~3 s of virtual time: at 200x, about 15 ms of pacing.
    expect(await traceOf("TestInitialElection3A", 2, undefined, 200)).toBe(await traceOf("TestInitialElection3A", 2));
  });

  it("a failed run leaks nothing into the next run", async () => {
    const fresh = await traceOf("TestReElection3A", 6);
    const failed = await runTest("TestReElection3A", { seed: 6, impl: throwsInHandler });
    expect(failed.failure?.kind).toBe("crash");
    expect(await traceOf("TestReElection3A", 6)).toBe(fresh);
  });

  it("a trace starts with TestBegin (test, seed) and ends with TestEnd (ok), with TestFail before it on failure", async () => {
    const events: TraceEvent[] = [];
    await runTest("TestInitialElection3A", { seed: 1, trace: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ op: "TestBegin", test: "TestInitialElection3A", seed: 1, src: -1, term: -1, state: "none" });
    expect(events.at(-1)).toMatchObject({ op: "TestEnd", test: "TestInitialElection3A", ok: true });
    const failing: TraceEvent[] = [];
    await runTest("TestInitialElection3A", { seed: 1, impl: throwsInHandler, trace: (e) => failing.push(e) });
    expect(failing.at(-2)).toMatchObject({ op: "TestFail", topic: "ERRO", ok: false });
    expect(failing.at(-1)).toMatchObject({ op: "TestEnd", ok: false });
  });
});
