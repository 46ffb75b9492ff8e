// A "what if it crashed now?" probe for votes. Figure 2: currentTerm and votedFor are on stable storage
// before a server responds to an RPC. So at the moment a server grants candidate C its vote in term T,
// a copy of the server restarted from its persister must refuse the same request from any other
// candidate D. The probe builds that copy: `make()` on a copy of the persister, with ends that never
// deliver, timers that never fire, no trace, and its own fixed PRNG, so the real run is untouched.

import { createPrng, type ClientEnd, type MakeRaft, type Persister, type Runtime, type Value } from "@raftlab/raft";

const NEVER: Promise<never> = new Promise<never>(() => {});
const deadEnd: ClientEnd = { call: () => NEVER };

export interface VoteProbe {
  readonly otherCandidate: number;
  readonly granted: boolean;
}

/**
 * Asks a restarted copy of `voter` for the vote it just gave `candidate`, on behalf of another peer.
 * Returns null when the request has no recognisable candidate field, or the copy cannot answer at once.
 */
export function probeRestartedVote(
  impl: MakeRaft,
  peerCount: number,
  voter: number,
  candidate: number,
  persister: Persister,
  method: string,
  args: Value,
  now: number,
): VoteProbe | null {
  if (args === null || typeof args !== "object" || Array.isArray(args) || args instanceof Uint8Array) return null;
  const fields = args as { readonly [key: string]: Value };
  const key = Object.keys(fields).find((k) => k.replace(/_/g, "").toLowerCase() === "candidateid");
  if (key === undefined || fields[key] !== candidate) return null;
  let other = (candidate + 1) % peerCount;
  if (other === voter) other = (other + 1) % peerCount;
  if (other === candidate) return null;
  const prng = createPrng(voter * 7919 + candidate);
  const runtime: Runtime = { now: () => now, setTimer: () => () => {}, random: () => prng.next(), trace: null };
  const ends: ClientEnd[] = Array.from({ length: peerCount }, () => deadEnd);
  let shadow: ReturnType<MakeRaft>;
  try {
    shadow = impl(ends, voter, persister, () => {}, runtime);
  } catch (err) {
    // A restart from this persisted state would crash the same way: the Raft's bug, said plainly.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`restarting peer ${voter} from its persisted state threw: ${why.split("\n")[0] ?? ""}`);
  }
  try {
    const reply: unknown = shadow.handleRpc(method, { ...fields, [key]: other });
    if (reply === null || typeof reply !== "object" || typeof (reply as { then?: unknown }).then === "function") return null;
    const r = reply as { readonly [k: string]: Value };
    const grantedKey = Object.keys(r).find((k) => k.toLowerCase() === "votegranted");
    return { otherCandidate: other, granted: grantedKey !== undefined && r[grantedKey] === true };
  } finally {
    shadow.kill();
  }
}
