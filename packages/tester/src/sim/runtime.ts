// The `Runtime` a Raft peer sees: virtual time, timers on the simulator and its own PRNG stream. One
// runtime per incarnation: when the harness kills an incarnation its timers stop firing, like the
// goroutines of a process that exited, so a zombie can never act again on its own.

import type { CancelTimer, Prng, Runtime, TraceSink } from "@raftlab/raft";
import type { Simulator } from "./simulator.js";

const noop: CancelTimer = () => {};

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

export class PeerRuntime implements Runtime {
  killed = false;
  constructor(
    private readonly sim: Simulator,
    private readonly prng: Prng,
    readonly trace: TraceSink | null,
    private readonly peer: number,
  ) {}

  now(): number {
    return this.sim.now;
  }

  random(): number {
    return this.prng.next();
  }

  setTimer(delayMs: number, fn: () => void): CancelTimer {
    if (this.killed || this.sim.stopped) return noop;
    if (typeof delayMs !== "number" || Number.isNaN(delayMs)) {
      throw new RangeError(`peer ${this.peer}: setTimer needs a number of ms, got ${String(delayMs)}`);
    }
    const ev = this.sim.schedule(
      Math.max(0, delayMs),
      () => {
        if (this.killed) return;
        const result: unknown = (fn as () => unknown)();
        // An async callback: its continuation must run before the clock moves on.
        if (isThenable(result)) {
          this.sim.needsDrain = true;
          result.then(undefined, (err: unknown) => this.sim.onError(err));
        }
      },
      this.peer,
    );
    return () => {
      ev.cancelled = true;
    };
  }
}

export { isThenable };
