// Conformance as one more test of `raftlab batch` (issue 11 §4: "in raftlab batch as its own group"):
// the whole case list is one run of the test named CONFORMANCE_TEST at a seed (the seed drives the
// peer's random numbers, so timing-dependent Rafts see different election timeouts). The run fails on
// the first failing case, whose name and mismatch become the failure message, so the batch groups
// failures by case; every case's line goes to the run's output, and so to its saved .log.

import type { MakeRaft } from "@raftlab/raft";
import { harnessEvent } from "../net/events.js";
import type { RunFailure } from "../harness/failure.js";
import { registerTestEntry, type RunOptions, type RunResult } from "../runner.js";
import { runConformance } from "./run.js";

/** The test name conformance runs under in a batch (`raftlab batch conform` selects it). */
export const CONFORMANCE_TEST = "Conformance";

/** Whether a batch pattern asks for conformance. */
export function isConformancePattern(pattern: string): boolean {
  return /^conform(ance)?$/i.test(pattern);
}

export interface ConformanceRun {
  readonly ok: boolean;
  readonly failure?: RunFailure;
  readonly wallMs: number;
  readonly cases: number;
}

export async function runConformanceAsTest(make: MakeRaft, seed: number, output?: (line: string) => void): Promise<ConformanceRun> {
  const started = performance.now();
  let firstFailure: RunFailure | undefined;
  let failed = 0;
  const results = await runConformance(make, { seed }, (r) => {
    output?.(`${r.ok ? "✓" : "✗"} ${r.name}${r.mismatch !== undefined ? ` -- ${r.mismatch}` : ""}`);
    if (r.ok) return;
    failed += 1;
    firstFailure ??= { kind: "fail", message: `${r.name}: ${r.mismatch ?? "failed"}` };
  });
  output?.(`${results.length - failed} passed, ${failed} failed`);
  return { ok: failed === 0, ...(firstFailure !== undefined ? { failure: firstFailure } : {}), wallMs: performance.now() - started, cases: results.length };
}

/**
 * `raftlab batch conform`: the conformance cases as one run (above). Its trace holds the
 * test's bounds and its failure; the cases' lines go to the run's output.
 */
async function runConformanceRun(impl: MakeRaft, options: RunOptions): Promise<RunResult> {
  const trace = options.trace ?? null;
  const seed = options.seed;
  if (trace !== null) trace(harnessEvent(0, "TestBegin", "TEST", `${CONFORMANCE_TEST} seed ${seed}`, { test: CONFORMANCE_TEST, seed }));
  const output = options.output;
  const r = await runConformanceAsTest(impl, seed, output === undefined ? undefined : (line) => output(line, 0));
  if (trace !== null) {
    if (r.failure !== undefined) trace(harnessEvent(0, "TestFail", "TEST", r.failure.message));
    trace(harnessEvent(0, "TestEnd", "TEST", `${CONFORMANCE_TEST} ${r.ok ? "passed" : "FAILED"}`, { test: CONFORMANCE_TEST, ok: r.ok }));
  }
  return {
    test: CONFORMANCE_TEST,
    seed,
    ok: r.ok,
    ...(r.failure !== undefined ? { failure: r.failure } : {}),
    virtualMs: 0,
    wallMs: r.wallMs,
    rpcs: 0,
    bytes: 0,
    cmds: 0,
    peers: 1,
  };
}

// Registered when this module loads: the batch imports it (batch/contract.ts) before it runs anything.
registerTestEntry(CONFORMANCE_TEST, runConformanceRun);
