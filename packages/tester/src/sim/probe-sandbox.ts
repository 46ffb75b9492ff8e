// The sandbox a restart probe's copy runs in (restart-copy.ts): while a copy's code runs (its make(),
// handleRpc, getState, kill), nothing it does may be visible or have effects on the real run (issue 18
// §1). The virtual globals (sim/virtual-globals.ts) and the print capture (sim/print-capture.ts) ask
// `probeScope()`: inside a probe, a global timer is created inert (it never enters the simulator),
// Math.random draws from the probe's own stream (the run's stream does not move), and prints are
// dropped (or, with --show-probe-output, shown labelled as the probe's, never traced).
//
// The scope is synchronous: it covers the copy's calls, which is all a probe makes (askCopy ignores an
// asynchronous reply). Code a copy leaves for later (a continuation after `await` in an async handler)
// runs after the scope has closed; its timers are inert anyway once the copy is killed, which every
// probe does in a `finally`, since timers of a killed incarnation never fire.

import type { Prng, RaftPeer } from "@raftlab/raft";

/** The probe copy whose code is running. */
export interface ProbeScope {
  /** The peer the copy restarts. */
  readonly peer: number;
  /** The copy's own randomness, for its Math.random. */
  readonly prng: Prng;
}

let scope: ProbeScope | null = null;

/** The probe copy whose code is running now, or null (the real run's code). */
export function probeScope(): ProbeScope | null {
  return scope;
}

/** Runs `fn` as the probe copy `s`; scopes nest (an inner call restores the outer scope). */
export function runAsProbe<T>(s: ProbeScope, fn: () => T): T {
  const prev = scope;
  scope = s;
  try {
    return fn();
  } finally {
    scope = prev;
  }
}

const PEER_METHODS = ["start", "getState", "kill", "snapshot", "handleRpc", "persistBytes"] as const;

/** `copy` with every method of the Raft API run inside the probe scope `s`; other properties read through. */
export function sandboxed(copy: RaftPeer, s: ProbeScope): RaftPeer {
  if (copy === null || (typeof copy !== "object" && typeof copy !== "function")) return copy; // make()'s own bug, reported by the caller
  const wrapped = Object.create(copy) as Record<string, unknown>;
  for (const m of PEER_METHODS) {
    const fn = (copy as unknown as Record<string, unknown>)[m];
    if (typeof fn !== "function") continue;
    wrapped[m] = (...args: unknown[]): unknown => runAsProbe(s, () => (fn as (...a: unknown[]) => unknown).apply(copy, args));
  }
  return wrapped as unknown as RaftPeer;
}
