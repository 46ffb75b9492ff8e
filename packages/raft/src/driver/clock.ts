// Clocks for the in-process cluster: the wall clock (for the demo), or a tiny virtual clock that jumps
// from timer to timer (for fast, deterministic tests). The raftlab tester has its own, fuller simulator.

import type { CancelTimer } from "../api.js";

export interface Clock {
  now(): number;
  setTimer(delayMs: number, fn: () => void): CancelTimer;
}

export function wallClock(epochMs: number = performance.now()): Clock {
  return {
    now: () => Math.floor((performance.now() - epochMs) * 1000) / 1000,
    setTimer(delayMs, fn) {
      const h = setTimeout(fn, Math.max(0, delayMs));
      return () => clearTimeout(h);
    },
  };
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | null;
}

/**
 * Virtual time. Timers fire in (time, creation order); between timers, pending promise callbacks run
 * to completion, so async RPC plumbing behaves as it would on a real event loop.
 */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): CancelTimer {
    const timer: Timer = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn };
    // Insert in order (binary search); the queue stays small in tests.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.timers[mid] as Timer;
      if (m.at < timer.at || (m.at === timer.at && m.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    return () => {
      timer.fn = null;
    };
  }

  /** Runs timers until `done()` holds or `limitMs` of virtual time pass. Returns whether done() held. */
  async runUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const end = this.t + limitMs;
    await flush();
    for (let steps = 0; steps < 10_000_000; steps++) {
      if (done()) return true;
      const next = this.timers[0];
      if (next === undefined || next.at > end) {
        this.t = end;
        return done();
      }
      this.timers.shift();
      this.t = next.at;
      const fn = next.fn;
      if (fn !== null) {
        fn();
        await flush();
      }
    }
    throw new Error("VirtualClock.runUntil: step limit reached");
  }

  /** Runs for `ms` of virtual time. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }
}

/** Lets every queued promise callback run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
