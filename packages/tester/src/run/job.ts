// What `raftlab run` asks of its isolated child (child.ts) and what the child says back (authenticated
// by isolation/channel.ts). The child runs the tests; the parent (action.ts) prints and judges.

export interface RunJob {
  readonly tests: readonly string[];
  readonly seed: number;
  readonly impl: string | null;
  readonly strict: boolean;
  readonly labelPrints: boolean;
  readonly showProbeOutput: boolean;
  readonly pace: number | null;
  readonly wallTimeoutMs: number;
  /** --schedule FILE (read again by the child; the parent checked it). */
  readonly schedule: string | null;
  /** Whether the runs are traced (the parent writes the trace). */
  readonly trace: boolean;
}

export type RunChildMessage =
  | { readonly t: "load-error"; readonly message: string }
  | { readonly t: "ready" }
  /** What the code under test printed (raw; the parent escapes it). */
  | { readonly t: "print"; readonly text: string }
  | { readonly t: "start"; readonly test: string }
  /** A lab line of the runner (raw), at virtual time `atMs`. */
  | { readonly t: "line"; readonly text: string; readonly atMs: number }
  /** Formatted trace lines; `lastT` is the time of the last one. */
  | { readonly t: "trace"; readonly text: string; readonly lastT: number }
  | { readonly t: "result"; readonly test: string; readonly ok: boolean }
  | { readonly t: "end" };
