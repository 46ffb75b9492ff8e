// What the batch runner keeps about one finished run: small and flat, so that a batch of a million
// runs fits in memory and a JSON report lists every one.

import type { RunFailure } from "../runner.js";

export type FailureKind = RunFailure["kind"];

export interface RunRecord {
  readonly test: string;
  readonly seed: number;
  readonly ok: boolean;
  /** Triage key (see signature.ts); null for a passing run. */
  readonly signature: string | null;
  readonly kind: FailureKind | null;
  readonly message: string | null;
  readonly invariant: string | null;
  /** Simulated time the run covered; null when the run was stopped before reporting (timeout, crash). */
  readonly virtualMs: number | null;
  readonly wallMs: number;
  readonly rpcs: number | null;
  readonly bytes: number | null;
  readonly cmds: number | null;
  readonly peers: number | null;
  /** Saved trace file name, relative to the batch's output directory; null when not saved. */
  readonly trace: string | null;
  /** Saved output file name, relative to the batch's output directory; null when not saved. */
  readonly log: string | null;
  /** True when the saved trace is not the whole trace (size cap, or the run was stopped). */
  readonly traceTruncated: boolean;
  /** The checker's counted warnings of the run, by kind (absent when there were none). */
  readonly warnings?: readonly RecordWarning[];
}

/** Warnings of one kind in one run (RunResult.warnings without the message, to keep records small). */
export interface RecordWarning {
  readonly kind: string;
  readonly count: number;
}

/** Artifact file stem for a run: `<test>-<seed>`; test names are sanitised for file systems. */
export function artifactStem(test: string, seed: number): string {
  return `${test.replace(/[^A-Za-z0-9_.-]/g, "_")}-${seed}`;
}
