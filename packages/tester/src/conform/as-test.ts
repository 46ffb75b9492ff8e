// Conformance as one more test of `raftlab batch` (issue 11 §4: "in raftlab batch as its own group"):
// the whole case list is one run of the test named CONFORMANCE_TEST at a seed (the seed drives the
// peer's random numbers, so timing-dependent Rafts see different election timeouts). The run fails on
// the first failing case, whose name and mismatch become the failure message, so the batch groups
// failures by case; every case's line goes to the run's output, and so to its saved .log.

import type { MakeRaft } from "@raftlab/raft";
import type { RunFailure } from "../harness/failure.js";
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
