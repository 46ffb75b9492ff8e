// Messages between the batch and a shrink worker (shrink-worker.ts): one thread per failure group's
// example, so the code under test runs in a thread the batch can stop, as the batch's runs do.

export interface ShrinkJob {
  readonly test: string;
  readonly seed: number;
  /** The --impl module (resolved path), or null for raftlab's Raft. */
  readonly impl: string | null;
  readonly strict: boolean;
  readonly budgetMs: number;
  /** Where `<stem>.schedule.json` and `<stem>.shrunk.jsonl` are written. */
  readonly outDir: string;
  readonly stem: string;
  /** Trace bytes kept of the shrunk run; beyond this its trace is cut and marked so. */
  readonly traceCapBytes: number;
}

/** What a finished shrink sends back (the files are already written). */
export interface ShrinkDone {
  readonly status: "shrunk" | "passes";
  readonly schedule?: string;
  readonly trace?: string;
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

export type ShrinkWorkerMessage =
  | { readonly type: "progress"; readonly runs: number; readonly faults: number; readonly originalFaults: number }
  | { readonly type: "done"; readonly result: ShrinkDone }
  | { readonly type: "error"; readonly message: string };
