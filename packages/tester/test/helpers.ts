// Shared helpers for the tester's own tests.

import { createPrng, type RaftPeer, type Value } from "@raftlab/raft";
import { Simulator } from "../src/sim/simulator.js";

export function makeSim(seed = 1, limitMs = 1e9, pace?: number): Simulator {
  return new Simulator({ prng: createPrng(seed), limitMs, maxEvents: 1e8, ...(pace !== undefined ? { pace } : {}) });
}

/** Runs `body` as a test coroutine on `sim` until it finishes; returns what `run` returned. */
export async function runOn(sim: Simulator, body: () => Promise<void>): Promise<string> {
  let error: unknown = null;
  body().then(
    () => sim.stop(),
    (e: unknown) => {
      error = e;
      sim.stop();
    },
  );
  const stop = await sim.run();
  if (error !== null) throw error;
  return stop;
}

/** A peer that only answers RPCs (with `handler`); the rest of the Raft API does nothing. */
export function fakePeer(handler: (method: string, args: Value) => Value | Promise<Value>): RaftPeer {
  return {
    start: () => ({ index: -1, term: 0, isLeader: false }),
    getState: () => ({ term: 0, isLeader: false }),
    kill: () => {},
    snapshot: () => {},
    persistBytes: () => 0,
    handleRpc: handler,
  };
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
