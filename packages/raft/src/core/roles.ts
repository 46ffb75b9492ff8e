// Role transitions (Figure 2, "Rules for Servers"; §5.1, §5.2): adopting a newer term, and becoming
// follower, candidate or leader. The handlers of each RPC call these; these call only the sending side.

import { assert } from "./assert.js";
import { broadcastAppendEntries } from "./send.js";
import type { NodeState } from "./state.js";

/**
 * Figure 2, all servers: "If RPC request or response contains term T > currentTerm: set currentTerm =
 * T, convert to follower". Returns true if the term changed.
 */
export function observeTerm(s: NodeState, term: number, why: string): boolean {
  if (term <= s.currentTerm) return false;
  becomeFollower(s, term, why);
  return true;
}

/** Converts to follower, adopting `term` if it is newer (which clears votedFor). */
export function becomeFollower(s: NodeState, term: number, why: string): void {
  assert(term >= s.currentTerm, `becoming follower in older term ${term} < ${s.currentTerm}`);
  const wasRole = s.role;
  if (term > s.currentTerm) {
    s.currentTerm = term;
    s.votedFor = null;
    s.leaderId = null;
    s.markDirty();
  }
  if (wasRole !== "follower") {
    s.role = "follower";
    // A deposed leader must not stay silent past an election timeout without a new deadline.
    if (wasRole === "leader") s.resetElectionTimer();
  }
  if (s.tracing) s.trace("BecomeFollower", "TERM", `S${s.me} follower T${s.currentTerm} (was ${wasRole}): ${why}`);
}

/**
 * Figure 2, followers: "If election timeout elapses ... convert to candidate"; candidates: "On
 * conversion to candidate, start election: increment currentTerm, vote for self, reset election timer".
 */
export function becomeCandidate(s: NodeState): void {
  s.role = "candidate";
  s.currentTerm += 1;
  s.votedFor = s.me;
  s.leaderId = null;
  s.markDirty();
  s.votes.clear();
  s.votes.add(s.me);
  s.resetElectionTimer();
  if (s.tracing) s.trace("BecomeCandidate", "VOTE", `S${s.me} candidate T${s.currentTerm} last=(${s.log.lastIndex()},${s.log.lastTerm()})`);
}

/** Figure 2, candidates: votes from a majority of servers make us leader. */
export function becomeLeader(s: NodeState): void {
  assert(s.role === "candidate", `becoming leader from ${s.role}`);
  s.role = "leader";
  s.leaderId = s.me;
  const next = s.log.lastIndex() + 1;
  for (let p = 0; p < s.cfg.peerCount; p++) {
    const pr = s.progress[p];
    assert(pr !== undefined, `no progress slot for peer ${p}`);
    pr.nextIndex = next;
    pr.matchIndex = p === s.me ? next - 1 : 0;
    pr.heartbeatDue = s.now;
    pr.outstanding = 0;
  }
  if (s.tracing) s.trace("BecomeLeader", "LEAD", `S${s.me} leader T${s.currentTerm} votes=${[...s.votes].join(",")} last=${next - 1}`);
  // Figure 2, leaders: "Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server".
  broadcastAppendEntries(s, true);
}
