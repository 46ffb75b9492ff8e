// The batch's slots: each runs one (test, seed) at a time in its own isolated host process (host.ts,
// a thread slot inside), which loads the Raft under test; the batch itself never does. Outcomes arrive
// over the authenticated channel (isolation/channel.ts). A host that dies, exits or forges a message
// before its outcome fails the run it was on, and the next run gets a new host; the batch goes on.

import { childScriptPath, describeEnd, IsolatedChild, type ChildEnd } from "../isolation/supervisor.js";
import type { RunItem } from "../runs/runlist.js";
import type { HostMessage, HostRequest } from "./host-protocol.js";
import type { RunRequest, WorkerConfig } from "./protocol.js";
import { WorkerInitError, type SlotOptions, type SlotOutcome } from "./thread-slot.js";

export { WorkerInitError, workerScriptPath, type SlotOptions, type SlotOutcome, type StoppedTail } from "./thread-slot.js";

/**
 * How long past its own --timeout a host may stay silent before the batch kills it: the host's thread
 * slot enforces the timeout (a traced re-run restarts it), so this only catches a host that stopped.
 */
const HOST_SILENCE_GRACE_MS = 30_000;

interface Pending {
  readonly item: RunItem;
  readonly resolve: (outcome: SlotOutcome) => void;
  readonly started: number;
  timer: NodeJS.Timeout | null;
}

export class WorkerSlot {
  private host: IsolatedChild | null = null;
  private ready: Promise<void> | null = null;
  private pending: Pending | null = null;
  private closed = false;

  constructor(private readonly options: SlotOptions) {}

  /** Starts the host and its worker thread ahead of the first run (loading the runner and --impl takes a while). */
  warmUp(): Promise<void> {
    return this.ensureHost();
  }

  private ensureHost(): Promise<void> {
    if (this.ready !== null) return this.ready;
    this.ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      const host: IsolatedChild = new IsolatedChild(childScriptPath("batch/host.js"), this.options, {
        onMessage: (raw) => {
          const m = raw as HostMessage;
          if (m.t === "ready") {
            isReady = true;
            resolve();
          } else if (m.t === "init-error") {
            reject(new WorkerInitError(String(m.message)));
            host.stop({ type: "exit", code: 0, signal: null });
          } else if (m.t === "outcome") {
            const p = this.pending;
            if (this.host !== host || p === null) return;
            if (m.test !== p.item.test || m.seed !== p.item.seed) {
              host.stop({ type: "forged", why: `an outcome for ${m.test} seed ${m.seed} while ${p.item.test} seed ${p.item.seed} ran` });
              return;
            }
            this.settle(m.outcome);
          }
        },
        // The worker thread's own output is captured into each run's log; what reaches the host's
        // stdout/stderr was written by the code under test past that (fs.writeSync): dropped.
        onOutput: () => {},
        onEnd: (end) => {
          if (!isReady) reject(new WorkerInitError(`the test process ${describeEnd(end)} while loading the Raft`));
          if (this.host !== host) return;
          this.host = null;
          this.ready = null;
          this.stopped(end);
        },
      });
      this.host = host;
      host.request({ t: "warm" } satisfies HostRequest);
    });
    return this.ready;
  }

  /** Runs one item. Never rejects for a failing run; rejects only if the host cannot start at all. */
  async execute(item: RunItem, mode: RunRequest["mode"] = "run"): Promise<SlotOutcome> {
    if (this.closed) return { type: "cancelled" };
    try {
      await this.ensureHost();
    } catch (e) {
      // Closing the slot (Ctrl-C, --fail-fast) while its host was still starting is not an error.
      if (this.closed) return { type: "cancelled" };
      throw e;
    }
    const host = this.host;
    if (host === null || this.closed) return { type: "cancelled" };
    return new Promise<SlotOutcome>((resolve) => {
      const pending: Pending = { item, resolve, started: performance.now(), timer: null };
      this.pending = pending;
      pending.timer = setTimeout(
        () => {
          host.stop({ type: "killed", why: `stopped answering for ${(2 * this.options.timeoutMs + HOST_SILENCE_GRACE_MS) / 1000} s` });
        },
        2 * this.options.timeoutMs + HOST_SILENCE_GRACE_MS,
      );
      host.request({ t: "run", item, mode } satisfies HostRequest);
    });
  }

  private settle(outcome: SlotOutcome): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    if (p.timer !== null) clearTimeout(p.timer);
    p.resolve(outcome);
  }

  /** The host ended: the run in flight (if any) fails, named by how the host ended. */
  private stopped(end: ChildEnd): void {
    const p = this.pending;
    if (p === null) return;
    this.settle({
      type: "stopped",
      kind: end.type === "killed" ? "timeout" : "crash",
      message: `the run ended its test process: it ${describeEnd(end)} before reporting a result`,
      wallMs: performance.now() - p.started,
      output: { lines: [], droppedBytes: 0 },
      trace: null,
      note: "the test process ended with the run: its output and trace are lost",
    });
  }

  /** Stops the in-flight run (reported as cancelled) and the host; no further runs. */
  async close(): Promise<void> {
    this.closed = true;
    const host = this.host;
    this.host = null;
    this.ready = null;
    const p = this.pending;
    this.pending = null;
    if (p !== null) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.resolve({ type: "cancelled" });
    }
    if (host !== null && !host.exited) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          host.stop({ type: "exit", code: 0, signal: null });
          resolve();
        }, 2000);
        host.onceEnded(() => {
          clearTimeout(t);
          resolve();
        });
        host.request({ t: "close" } satisfies HostRequest);
      });
    }
  }
}

/** How long `probeImpl` waits for the runner and --impl to load in a host. */
export const IMPL_LOAD_LIMIT_MS = 60_000;

/**
 * Loads the runner and the --impl module in a host process, as every batch slot will, and stops it.
 * The module's code never runs in the batch's process, so a module that ends its process (at import or
 * from a timer) ends only that host: the batch reports it instead of vanishing with exit code 0.
 * Rejects with a one-line WorkerInitError.
 */
export async function probeImpl(config: WorkerConfig, maxHeapMb: number): Promise<void> {
  const slot = new WorkerSlot({ config, timeoutMs: IMPL_LOAD_LIMIT_MS, maxHeapMb });
  let timer: NodeJS.Timeout | null = null;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WorkerInitError(`did not finish loading within ${IMPL_LOAD_LIMIT_MS / 1000} s`)), IMPL_LOAD_LIMIT_MS);
  });
  try {
    await Promise.race([slot.warmUp(), limit]);
  } finally {
    if (timer !== null) clearTimeout(timer);
    await slot.close();
  }
}
