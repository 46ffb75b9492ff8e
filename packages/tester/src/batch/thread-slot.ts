// A thread slot runs one (test, seed) at a time in its own worker thread, with a wall-clock timeout and
// a heap limit. A run that hangs, crashes its thread or runs out of memory is stopped, reported as that
// run's failure, and the thread is replaced. It lives in the batch's isolated host process (host.ts),
// never in the batch itself: a thread shares its process, so an impl calling process.reallyExit(0)
// would end it; the batch's slots (pool.ts) supervise the host process instead.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { RunRequest, WorkerConfig, WorkerMessage } from "./protocol.js";
import { OUTPUT_RING_BYTES, SharedTextRing, TRACE_RING_BYTES } from "./ring.js";
import type { RunRecord } from "../runs/record.js";
import type { RunItem } from "../runs/runlist.js";

export type SlotOutcome =
  | { readonly type: "done"; readonly record: RunRecord; readonly traceSha256: string | null; readonly saveError?: string }
  | {
      readonly type: "stopped";
      readonly kind: "timeout" | "crash";
      readonly message: string;
      readonly wallMs: number;
      /** What the run had printed, from the shared ring (its last lines if it printed more). */
      readonly output: StoppedTail;
      /** The run's trace so far, from the shared ring, when the run was traced; else null. */
      readonly trace: StoppedTail | null;
      /** Why there is no trace, when the batch knows better than "it was untraced" (batch.ts). */
      readonly note?: string;
    }
  | { readonly type: "cancelled" };

export interface StoppedTail {
  readonly lines: readonly string[];
  /** Bytes written before `lines` that the ring had already overwritten (0: the lines are all of it). */
  readonly droppedBytes: number;
}

export class WorkerInitError extends Error {
  override readonly name = "WorkerInitError";
}

/**
 * The compiled worker script. Next to this file when running from dist; when this module runs from
 * src (vitest), the compiled copy in dist (built by `tsc -b`).
 */
export function workerScriptPath(): string {
  const here = new URL("./worker.js", import.meta.url);
  const path = fileURLToPath(here);
  if (existsSync(path)) return path;
  const fromSrc = fileURLToPath(new URL("../../dist/batch/worker.js", import.meta.url));
  if (existsSync(fromSrc)) return fromSrc;
  throw new WorkerInitError(`batch worker script not found at ${path} or ${fromSrc}; run \`pnpm build\` first`);
}

export interface SlotOptions {
  readonly config: WorkerConfig;
  readonly timeoutMs: number;
  readonly maxHeapMb: number;
}

interface Pending {
  resolve(outcome: SlotOutcome): void;
  timer: NodeJS.Timeout | null;
  started: number;
}

export class ThreadSlot {
  private worker: Worker | null = null;
  /** The rings shared with `worker` (each thread gets its own, so a dying thread's tail is not reused). */
  private rings: { output: SharedTextRing; trace: SharedTextRing } | null = null;
  private ready: Promise<void> | null = null;
  private pending: Pending | null = null;
  private closed = false;

  constructor(private readonly options: SlotOptions) {}

  /** Starts the worker thread ahead of the first run (loading the runner and --impl takes a while). */
  warmUp(): Promise<void> {
    return this.ensureWorker();
  }

  private ensureWorker(): Promise<void> {
    if (this.ready !== null) return this.ready;
    const rings = { output: SharedTextRing.create(OUTPUT_RING_BYTES), trace: SharedTextRing.create(TRACE_RING_BYTES) };
    // The thread's results come on a private port (protocol.ts, reportPort); what the code under test
    // posts on parentPort (the worker's own "message" events) is never listened to.
    const { port1: reports, port2: reportPort } = new MessageChannel();
    const workerData: WorkerConfig = { ...this.options.config, rings: { output: rings.output.buffer, trace: rings.trace.buffer }, reportPort };
    const worker = new Worker(workerScriptPath(), {
      workerData,
      transferList: [reportPort],
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
      stdout: true, // a Raft's console output must not scribble over the progress display
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    this.worker = worker;
    this.rings = rings;
    this.ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      const handle = (msg: WorkerMessage): void => {
        if (msg.type === "ready") {
          isReady = true;
          resolve();
        } else if (msg.type === "init-error") {
          reject(new WorkerInitError(msg.message));
          void worker.terminate();
        } else if (msg.type === "memory" && this.worker === worker) {
          this.checkMemory(msg.bytes);
        } else if (msg.type === "rerun" && this.worker === worker) {
          this.restartTimer();
        } else if (msg.type === "done" && this.worker === worker) {
          this.settle(
            { type: "done", record: msg.record, traceSha256: msg.traceSha256, ...(msg.saveError !== undefined ? { saveError: msg.saveError } : {}) },
            false,
          );
        }
      };
      reports.on("message", handle);
      // The port's events and the thread's are not ordered: what the thread posted before it failed
      // or ended is handled first (an init-error before the exit it leads to, a result before a crash).
      const drain = (): void => {
        for (let m = receiveMessageOnPort(reports); m !== undefined; m = receiveMessageOnPort(reports)) handle(m.message as WorkerMessage);
      };
      worker.on("error", (err: Error & { code?: string }) => {
        drain();
        const message =
          err.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? `out of memory: the run exceeded the worker heap limit of ${this.options.maxHeapMb} MB`
            : `the run crashed its worker: ${err.stack ?? err.message}`;
        if (!isReady) reject(new WorkerInitError(message));
        if (this.worker !== worker) return;
        if (this.pending !== null) this.settleStopped("crash", message);
        else {
          // Died between runs (a stray timer of the last run threw): never hand it the next run.
          this.worker = null;
          this.ready = null;
          void worker.terminate();
        }
      });
      worker.on("exit", (code) => {
        drain();
        reports.close();
        if (!isReady) reject(new WorkerInitError(`worker exited with code ${code} while starting`));
        // Events of a worker this slot has already dropped (timed out, crashed) concern no current run.
        if (this.worker !== worker) return;
        this.settleStopped("crash", `the run ended its worker thread (exit code ${code})`);
        this.worker = null;
        this.ready = null;
      });
    });
    return this.ready;
  }

  /** Runs one item. Never rejects for a failing run; rejects only if the worker cannot start at all. */
  async execute(item: RunItem, mode: RunRequest["mode"] = "run"): Promise<SlotOutcome> {
    if (this.closed) return { type: "cancelled" };
    try {
      await this.ensureWorker();
    } catch (e) {
      // Closing the slot (Ctrl-C, --fail-fast) while its thread was still starting is not an error.
      if (this.closed) return { type: "cancelled" };
      throw e;
    }
    const worker = this.worker;
    if (worker === null || this.closed) return { type: "cancelled" };
    return new Promise<SlotOutcome>((resolve) => {
      const pending: Pending = { resolve, timer: null, started: performance.now() };
      this.pending = pending;
      this.restartTimer();
      const request: RunRequest = { type: "run", test: item.test, seed: item.seed, mode };
      worker.postMessage(request);
    });
  }

  /**
   * --max-memory covers the thread's whole memory, not only the V8 heap that resourceLimits caps: a run
   * that allocates Buffers (external memory) past it is stopped as out of memory.
   */
  private checkMemory(bytes: number): void {
    const limit = this.options.maxHeapMb * 1024 * 1024;
    if (this.pending === null || bytes <= limit) return;
    const mb = Math.round(bytes / (1024 * 1024));
    this.settleStopped("crash", `out of memory: the run held ${mb} MB (V8 heap + Buffers) over the --max-memory limit of ${this.options.maxHeapMb} MB`);
  }

  /** (Re)starts the wall-clock limit of the run in flight. */
  private restartTimer(): void {
    const p = this.pending;
    if (p === null) return;
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      this.settleStopped("timeout", `no result after ${this.options.timeoutMs / 1000} s of wall-clock time; the run was stopped (--timeout)`);
    }, this.options.timeoutMs);
  }

  private settleStopped(kind: "timeout" | "crash", message: string): void {
    const p = this.pending;
    if (p === null) return;
    const rings = this.rings;
    const wallMs = performance.now() - p.started;
    // Read once the thread has stopped writing: settle() resolves after terminate().
    this.settle(() => {
      const output = rings?.output.readLines() ?? { lines: [], droppedBytes: 0 };
      const trace = rings?.trace.readLines() ?? null;
      return { type: "stopped", kind, message, wallMs, output, trace: trace !== null && trace.lines.length > 0 ? trace : null };
    }, true);
  }

  /**
   * Resolves the in-flight run. When the worker is killed, the outcome is delivered only after the
   * thread has exited, so the caller can safely take over its spill file.
   */
  private settle(outcome: SlotOutcome | (() => SlotOutcome), killWorker: boolean): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    if (p.timer !== null) clearTimeout(p.timer);
    const resolve = (): void => p.resolve(typeof outcome === "function" ? outcome() : outcome);
    if (!killWorker) {
      resolve();
      return;
    }
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    this.rings = null;
    const gone = w === null ? Promise.resolve(0) : w.terminate();
    void gone.then(resolve, resolve);
  }

  /** Stops the in-flight run (reported as cancelled) and the thread; no further runs. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    const p = this.pending;
    this.pending = null;
    if (p !== null) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.resolve({ type: "cancelled" });
    }
    if (w !== null) await w.terminate();
  }
}
