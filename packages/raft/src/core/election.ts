// Leader election (§5.2, §5.4.1): the election timeout, RequestVote and its replies. The role changes
// are in roles.ts, the sends in send.ts.

import type { OutRequest, RPC_REQUEST_VOTE, RequestVoteArgs, RequestVoteReply } from "./messages.js";
import { becomeCandidate, becomeLeader, observeTerm } from "./roles.js";
import { describeRequestVote, describeRequestVoteReply } from "./rpc.js";
import { broadcastRequestVote } from "./send.js";
import type { NodeState } from "./state.js";

/** Figure 2, followers/candidates: the election timeout elapsed, so start an election. */
export function startElection(s: NodeState): void {
  if (s.tracing) s.trace("ElectionTimeout", "TIMR", `S${s.me} election timeout in T${s.currentTerm} as ${s.role}`);
  becomeCandidate(s);
  if (s.votes.size >= s.majority) {
    becomeLeader(s);
    return;
  }
  broadcastRequestVote(s);
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
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "RequestVote",
      topic: "VOTE",
      msg: describeRequestVote(a.candidateId, s.me, a),
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
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "RequestVoteReply",
      topic: "VOTE",
      msg: describeRequestVoteReply(s.me, a.candidateId, reply),
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
export function handleRequestVoteReply(s: NodeState, req: Extract<OutRequest, { method: typeof RPC_REQUEST_VOTE }>, r: RequestVoteReply | null): void {
  if (r === null) return;
  const stale = s.role !== "candidate" || s.currentTerm !== req.args.term;
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "RequestVoteReply",
      topic: stale ? "DROP" : "VOTE",
      msg: describeRequestVoteReply(req.to, s.me, r) + (stale ? " (stale)" : ""),
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
