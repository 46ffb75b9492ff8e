// Messages between the batch and a shrink child (shrink-child.ts): one isolated process per failure
// group's example, started through isolation/supervisor.ts, so the code under test never runs in the
// batch's process. The child reports over the authenticated channel (isolation/channel.ts); the batch
// checks every message (shrink-groups.ts) and writes the shrunk schedule and trace itself.

export interface ShrinkJob {
  readonly test: string;
  readonly seed: number;
  /** The --impl module (resolved path), or null for raftlab's Raft. */
  readonly impl: string | null;
  readonly strict: boolean;
  readonly budgetMs: number;
  /** Trace bytes kept of the shrunk run; beyond this its trace is cut and marked so. */
  readonly traceCapBytes: number;
}

/** What a finished shrink sends back; the batch writes the files. */
export interface ShrinkDone {
  readonly status: "shrunk" | "passes";
  /** The shrunk schedule's JSON text (status "shrunk"). */
  readonly scheduleText?: string;
  readonly traceTruncated?: boolean;
  readonly faultsBefore: number;
  readonly faultsAfter: number;
  readonly eventsBefore: number;
  readonly eventsAfter: number;
  readonly virtualMsBefore: number;
  readonly virtualMsAfter: number;
  readonly sameFailure: boolean;
  readonly stoppedBy: "done" | "budget" | "runs";
  readonly runs: number;
  readonly wallMs: number;
  readonly faults: readonly string[];
}

export type ShrinkChildMessage =
  | { readonly t: "progress"; readonly runs: number; readonly faults: number; readonly originalFaults: number }
  /** A chunk of the shrunk run's trace (JSON lines), in order, before "done". */
  | { readonly t: "trace"; readonly text: string }
  | { readonly t: "done"; readonly test: string; readonly seed: number; readonly result: ShrinkDone }
  | { readonly t: "error"; readonly message: string };
