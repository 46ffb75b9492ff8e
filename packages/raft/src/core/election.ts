// Leader election (§5.2, §5.4.1): terms, randomized election timeouts, RequestVote and its replies.

import { assert } from "./assert.js";
import { broadcastAppendEntries } from "./replication.js";
import { describeRequestVote, describeRequestVoteReply } from "./rpc.js";
import type { NodeState } from "./state.js";
import { RPC_REQUEST_VOTE, type OutRequest, type RequestVoteArgs, type RequestVoteReply } from "./types.js";

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

/** Figure 2, followers/candidates: the election timeout elapsed, so start an election. */
export function startElection(s: NodeState): void {
  if (s.tracing) s.trace("ElectionTimeout", "TIMR", `S${s.me} election timeout in T${s.currentTerm} as ${s.role}`);
  s.role = "candidate";
  s.currentTerm += 1;
  s.votedFor = s.me;
  s.leaderId = null;
  s.markDirty();
  s.votes.clear();
  s.votes.add(s.me);
  s.resetElectionTimer();
  if (s.tracing) s.trace("BecomeCandidate", "VOTE", `S${s.me} candidate T${s.currentTerm} last=(${s.log.lastIndex()},${s.log.lastTerm()})`);
  if (s.votes.size >= s.majority) {
    becomeLeader(s);
    return;
  }
  const args: RequestVoteArgs = {
    term: s.currentTerm,
    candidateId: s.me,
    lastLogIndex: s.log.lastIndex(),
    lastLogTerm: s.log.lastTerm(),
  };
  for (let p = 0; p < s.cfg.peerCount; p++) {
    if (p === s.me) continue;
    const req: OutRequest = { method: RPC_REQUEST_VOTE, to: p, id: s.nextMessageId(), args };
    s.out.send.push(req);
    if (s.tracing) {
      s.emit({
        t: s.now, src: s.me, term: s.currentTerm, state: s.role, op: "RequestVote", topic: "VOTE", msg: describeRequestVote(s.me, p, args),
        dst: p,
        from: s.me,
        id: req.id,
        dir: "send",
        mterm: args.term,
        lastLogIndex: args.lastLogIndex,
        lastLogTerm: args.lastLogTerm,
      });
    }
  }
}

/** §5.4.1: the candidate's log is at least as up-to-date as ours. */
function candidateIsUpToDate(s: NodeState, a: RequestVoteArgs): boolean {
  const myTerm = s.log.lastTerm();
  return a.lastLogTerm > myTerm || (a.lastLogTerm === myTerm && a.lastLogIndex >= s.log.lastIndex());
}

/** Figure 2, RequestVote RPC receiver implementation. */
export function handleRequestVote(s: NodeState, a: RequestVoteArgs, id: string | undefined): RequestVoteReply {
  if (s.tracing) {
    s.emit({
      t: s.now, src: s.me, term: s.currentTerm, state: s.role, op: "RequestVote", topic: "VOTE", msg: describeRequestVote(a.candidateId, s.me, a),
      dst: s.me,
      from: a.candidateId,
      id,
      dir: "recv",
      mterm: a.term,
      lastLogIndex: a.lastLogIndex,
      lastLogTerm: a.lastLogTerm,
    });
  }
  observeTerm(s, a.term, `RequestVote from S${a.candidateId} in T${a.term}`);
  let granted = false;
  // Rule 1: reply false if term < currentTerm. Rule 2: grant if votedFor is null or candidateId, and
  // the candidate's log is at least as up-to-date as ours.
  if (a.term === s.currentTerm && (s.votedFor === null || s.votedFor === a.candidateId)) {
    if (candidateIsUpToDate(s, a)) {
      granted = true;
      if (s.votedFor !== a.candidateId) {
        s.votedFor = a.candidateId;
        s.markDirty();
      }
      // Figure 2, followers: granting a vote resets the election timer.
      s.resetElectionTimer();
    }
  }
  const reply: RequestVoteReply = { term: s.currentTerm, voteGranted: granted };
  if (s.tracing) {
    s.emit({
      t: s.now, src: s.me, term: s.currentTerm, state: s.role, op: "RequestVoteReply", topic: "VOTE", msg: describeRequestVoteReply(s.me, a.candidateId, reply),
      dst: a.candidateId,
      from: s.me,
      id,
      dir: "send",
      mterm: reply.term,
      voteGranted: granted,
    });
  }
  return reply;
}

/** A RequestVote reply (or failure) arrived. It counts only if nothing changed since we asked. */
export function handleRequestVoteReply(
  s: NodeState,
  req: Extract<OutRequest, { method: typeof RPC_REQUEST_VOTE }>,
  r: RequestVoteReply | null,
): void {
  if (r === null) return;
  const stale = s.role !== "candidate" || s.currentTerm !== req.args.term;
  if (s.tracing) {
    s.emit({
      t: s.now, src: s.me, term: s.currentTerm, state: s.role, op: "RequestVoteReply", topic: stale ? "DROP" : "VOTE", msg: describeRequestVoteReply(req.to, s.me, r) + (stale ? " (stale)" : ""),
      dst: s.me,
      from: req.to,
      id: req.id,
      dir: "recv",
      mterm: r.term,
      voteGranted: r.voteGranted,
    });
  }
  if (observeTerm(s, r.term, `RequestVote reply from S${req.to} in T${r.term}`)) return;
  if (stale || !r.voteGranted || r.term !== s.currentTerm) return;
  s.votes.add(req.to);
  if (s.votes.size >= s.majority) becomeLeader(s);
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
