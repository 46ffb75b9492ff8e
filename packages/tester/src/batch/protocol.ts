// Messages between the batch parent and its worker threads.

import type { RunRecord } from "../runs/record.js";
import type { MessagePort } from "node:worker_threads";
import type { RunRings } from "./ring.js";

export interface WorkerConfig {
  /** Module exporting `make` (a student's Raft), or null for raftlab's own. */
  readonly impl: string | null;
  /** Where failing (or, with archive, all) runs' artifacts go. */
  readonly outDir: string;
  readonly archive: boolean;
  /** --strict: the checker's warnings (heartbeat rate) fail runs instead of being counted. */
  readonly strict?: boolean;
  /** Trace every run as it runs (--trace-every-run), instead of re-running failing runs traced. */
  readonly traceEveryRun: boolean;
  /** Trace bytes kept per run; beyond this the trace is cut and marked truncated. */
  readonly traceCapBytes: number;
  /** Output lines kept per run. */
  readonly outputCapLines: number;
  /** This worker's spill file: a trace larger than the in-memory chunk streams here during the run. */
  readonly spillPath: string;
  /** Runner module URL override (tests only); null for packages/tester's runner. */
  readonly runnerModule: string | null;
  /**
   * Shared with the parent (ring.ts): the tail of the current run's output and trace, which the parent
   * reads when it has to stop the run. Set by the slot for each thread it starts.
   */
  readonly rings?: RunRings;
  /**
   * The thread's private port to its slot (thread-slot.ts), the only one whose messages the slot
   * believes. The worker takes it off workerData before the code under test loads: that code can post
   * on parentPort, which the slot ignores.
   */
  readonly reportPort?: MessagePort;
}

/** How often a worker reports its memory to the parent. */
export const MEMORY_SAMPLE_MS = 100;

export interface RunRequest {
  readonly type: "run";
  readonly test: string;
  readonly seed: number;
  /**
   * "run": a batch run (artifacts saved on failure). "verify": a replay of a saved run that saves
   * nothing and reports the SHA-256 of its trace, to check that the replay is identical. "diagnose":
   * the same run traced from its start, after an untraced execution of it hung: its trace is what the
   * parent reads from the ring when it stops this one too.
   */
  readonly mode: "run" | "verify" | "diagnose";
}

export type WorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "init-error"; readonly message: string }
  /** The run failed and is being run again with tracing on: the timeout starts afresh for the re-run. */
  | { readonly type: "rerun" }
  /**
   * The thread's own memory (V8 heap in use + external memory: Buffers, typed arrays), sampled every
   * MEMORY_SAMPLE_MS. The heap limit alone misses Buffer.alloc, which lives outside the V8 heap.
   */
  | { readonly type: "memory"; readonly bytes: number }
  /**
   * The run is over. `saveError` is set when its trace or log could not be written (a full disk, a
   * folder removed under the batch): the record then names no files, and the batch stops, since every
   * later failure would be lost the same way.
   */
  | { readonly type: "done"; readonly record: RunRecord; readonly traceSha256: string | null; readonly saveError?: string };
