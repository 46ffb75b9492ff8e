// A wall-clock Runtime for running this Raft (or any lab-style Raft) in a real process. It lives
// outside the core: the core never sees a clock, only the times its inputs carry.

import type { CancelTimer, Runtime } from "../api.js";
import { createPrng } from "../prng.js";
import type { TraceSink } from "../trace.js";

export interface RealRuntimeOptions {
  /** Seeds the Runtime's random() (election timeouts); wall-clock runs still vary with timing. */
  readonly seed: number;
  readonly trace?: TraceSink | null;
  /** performance.now() value taken as time 0 (share it across a cluster so times line up). */
  readonly epochMs?: number;
}

export function realRuntime(options: RealRuntimeOptions): Runtime {
  const prng = createPrng(options.seed);
  const epoch = options.epochMs ?? performance.now();
  return {
    now: () => Math.floor((performance.now() - epoch) * 1000) / 1000,
    setTimer(delayMs: number, fn: () => void): CancelTimer {
      const h = setTimeout(fn, Math.max(0, delayMs));
      return () => clearTimeout(h);
    },
    random: () => prng.next(),
    trace: options.trace ?? null,
  };
}
