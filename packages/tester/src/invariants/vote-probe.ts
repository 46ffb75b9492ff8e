// A "what if it crashed now?" probe for votes. Figure 2: currentTerm and votedFor are on stable storage
// before a server responds to an RPC. So at the moment a server grants candidate C its vote in term T,
// a copy of the server restarted from its persister must refuse the same request from any other
// candidate D. The probe builds that copy with restart-copy.ts (`make()` on a copy of the persister,
// ends that never deliver, timers that never fire, no trace, its own PRNG), so the real run is untouched.
// durability-probe.ts does the same for currentTerm and log[].

import type { MakeRaft, Persister, Value } from "@raftlab/raft";
import { askCopy, restartCopy } from "./restart-copy.js";

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
  const shadow = restartCopy(impl, peerCount, voter, persister, now, candidate);
  try {
    const r = askCopy(shadow, method, { ...fields, [key]: other });
    if (r === null) return null;
    const grantedKey = Object.keys(r).find((k) => k.toLowerCase() === "votegranted");
    return { otherCandidate: other, granted: grantedKey !== undefined && r[grantedKey] === true };
  } finally {
    shadow.kill();
  }
}

/**
 * Whether a restarted copy of `voter` that first grants `candidate` the vote (in its memory) then grants
 * `otherCandidate` too in the same term: its vote logic ignores votedFor, a bug whatever it persists.
 * Tells that apart from a Raft that only forgets its vote on a crash (no persist yet, 3A and 3B).
 */
export function votesTwiceInMemory(
  impl: MakeRaft,
  peerCount: number,
  voter: number,
  candidate: number,
  otherCandidate: number,
  persister: Persister,
  method: string,
  args: Value,
  now: number,
): boolean {
  if (args === null || typeof args !== "object" || Array.isArray(args) || args instanceof Uint8Array) return false;
  const fields = args as { readonly [key: string]: Value };
  const key = Object.keys(fields).find((k) => k.replace(/_/g, "").toLowerCase() === "candidateid");
  if (key === undefined) return false;
  const granted = (r: Value | null): boolean => {
    if (r === null || typeof r !== "object" || Array.isArray(r) || r instanceof Uint8Array) return false;
    const k = Object.keys(r).find((x) => x.toLowerCase() === "votegranted");
    return k !== undefined && (r as { readonly [key: string]: Value })[k] === true;
  };
  const shadow = restartCopy(impl, peerCount, voter, persister, now, candidate);
  try {
    if (!granted(askCopy(shadow, method, fields))) return false;
    return granted(askCopy(shadow, method, { ...fields, [key]: otherCandidate }));
  } finally {
    shadow.kill();
  }
}
