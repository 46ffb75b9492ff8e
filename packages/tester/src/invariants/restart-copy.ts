// "What if it crashed now?": a copy of one peer restarted from a copy of its persister, for the restart
// probes (vote-probe.ts, durability-probe.ts). The copy is `make()` with ends that never deliver,
// timers that never fire, no trace and its own fixed PRNG, so the real run is untouched: nothing it
// does can schedule an event, send a message or draw from the run's randomness. Its code runs in the
// probe sandbox (sim/probe-sandbox.ts), so the globals it uses are as harmless: its global timers never
// enter the simulator, its Math.random has its own stream, and its prints are not the run's output.

import { runAsProbe, sandboxed, type ProbeScope } from "../sim/probe-sandbox.js";
import { createPrng, type ClientEnd, type MakeRaft, type Persister, type RaftPeer, type Runtime, type Value } from "@raftlab/raft";

const NEVER: Promise<never> = new Promise<never>(() => {});
const deadEnd: ClientEnd = { call: () => NEVER };

/**
 * Makes the copy. Throws an Error naming the peer when make() throws: a restart from this persisted
 * state would crash the same way, which is the Raft's bug, said plainly.
 */
export function restartCopy(impl: MakeRaft, peerCount: number, peer: number, persister: Persister, now: number, salt: number): RaftPeer {
  const prng = createPrng(peer * 7919 + salt);
  const runtime: Runtime = { now: () => now, setTimer: () => () => {}, random: () => prng.next(), trace: null };
  const ends: ClientEnd[] = Array.from({ length: peerCount }, () => deadEnd);
  const scope: ProbeScope = { peer, prng: createPrng(peer * 7919 + salt + 1) };
  try {
    return sandboxed(
      runAsProbe(scope, () => impl(ends, peer, persister, () => {}, runtime)),
      scope,
    );
  } catch (err) {
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`restarting peer ${peer} from its persisted state threw: ${why.split("\n")[0] ?? ""}`);
  }
}

/** The copy's synchronous reply to one request, or null (no reply, or an asynchronous handler). */
export function askCopy(copy: RaftPeer, method: string, args: Value): { readonly [key: string]: Value } | null {
  const reply: unknown = copy.handleRpc(method, args);
  if (reply === null || typeof reply !== "object" || Array.isArray(reply) || reply instanceof Uint8Array) return null;
  if (typeof (reply as { then?: unknown }).then === "function") return null;
  return reply as { readonly [key: string]: Value };
}
