// Log replication (§5.3): the follower's AppendEntries handler and the leader's handling of its
// replies, with fast backup of nextIndex from the follower's conflict hint. Sending is in send.ts.

import { assert } from "./assert.js";
import { advanceCommitIndex, maybeCommit } from "./commit.js";
import type { AppendEntriesArgs, AppendEntriesReply, Entry, OutRequest, RPC_APPEND_ENTRIES } from "./messages.js";
import { becomeFollower, observeTerm } from "./roles.js";
import { describeAppendEntries, describeAppendEntriesReply } from "./rpc.js";
import { progressOf, sendTo } from "./send.js";
import type { NodeState } from "./state.js";

function failReply(s: NodeState, xTerm: number, xIndex: number): AppendEntriesReply {
  return { term: s.currentTerm, success: false, xTerm, xIndex, xLen: s.log.lastIndex() + 1 };
}

/** Figure 2, AppendEntries RPC receiver implementation. */
export function handleAppendEntries(s: NodeState, a: AppendEntriesArgs, id: string | undefined): AppendEntriesReply {
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "AppendEntries",
      topic: "LOG1",
      msg: describeAppendEntries(a.leaderId, s.me, a),
      dst: s.me,
      from: a.leaderId,
      id,
      dir: "recv",
      mterm: a.term,
      prevLogIndex: a.prevLogIndex,
      prevLogTerm: a.prevLogTerm,
      leaderCommit: a.leaderCommit,
      first: a.entries.length === 0 ? undefined : a.prevLogIndex + 1,
      last: a.entries.length === 0 ? undefined : a.prevLogIndex + a.entries.length,
    });
  }
  const reply = appendEntriesReceiver(s, a);
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "AppendEntriesReply",
      topic: "LOG1",
      msg: describeAppendEntriesReply(s.me, a.leaderId, reply),
      dst: a.leaderId,
      from: s.me,
      id,
      dir: "send",
      mterm: reply.term,
      success: reply.success,
      xTerm: reply.xTerm,
      xIndex: reply.xIndex,
      xLen: reply.xLen,
    });
  }
  return reply;
}

function appendEntriesReceiver(s: NodeState, a: AppendEntriesArgs): AppendEntriesReply {
  // Rule 1: reply false if term < currentTerm.
  if (a.term < s.currentTerm) return failReply(s, -1, -1);
  observeTerm(s, a.term, `AppendEntries from leader S${a.leaderId} in T${a.term}`);
  // Election Safety: there is at most one leader per term, so no AppendEntries in our own term while leader.
  assert(s.role !== "leader", `two leaders in term ${s.currentTerm}: S${s.me} and S${a.leaderId}`);
  // Figure 2, candidates: "If AppendEntries RPC received from new leader: convert to follower".
  if (s.role === "candidate") becomeFollower(s, a.term, `AppendEntries from leader S${a.leaderId}`);
  s.leaderId = a.leaderId;
  s.resetElectionTimer();

  let prev = a.prevLogIndex;
  let prevTerm = a.prevLogTerm;
  let entries = a.entries;
  const lastNew = a.prevLogIndex + a.entries.length;
  // Entries at or below our snapshot are committed, so they match; skip them.
  if (prev < s.log.snapshotIndex) {
    const skip = s.log.snapshotIndex - prev;
    if (skip >= entries.length) return { term: s.currentTerm, success: true, xTerm: -1, xIndex: -1, xLen: s.log.lastIndex() + 1 };
    entries = entries.slice(skip);
    prev = s.log.snapshotIndex;
    prevTerm = s.log.snapshotTerm;
  }
  // Rule 2: reply false if the log doesn't contain an entry at prevLogIndex whose term matches
  // prevLogTerm, with the fast-backup hint.
  if (prev > s.log.lastIndex()) return failReply(s, -1, -1);
  const termAtPrev = s.log.termAt(prev) as number;
  if (termAtPrev !== prevTerm) return failReply(s, termAtPrev, s.log.firstIndexOfTerm(termAtPrev, prev));

  // Rule 3: if an existing entry conflicts with a new one (same index, different terms), delete it
  // and all that follow. Rule 4: append any new entries not already in the log. Entries that already
  // match are kept, so a stale, shorter AppendEntries never truncates the log.
  for (let i = 0; i < entries.length; i++) {
    const index = prev + 1 + i;
    const e = entries[i] as Entry;
    if (index <= s.log.lastIndex()) {
      if (s.log.termAt(index) === e.term) continue;
      assert(index > s.commitIndex, `truncating committed entry ${index} (commitIndex ${s.commitIndex})`);
      if (s.tracing) s.traceIndex("Log", "LOG2", `S${s.me} conflict at ${index}: drop [${index}..${s.log.lastIndex()}]`, index);
      s.log.truncateFrom(index);
    }
    for (let j = i; j < entries.length; j++) {
      const ej = entries[j] as Entry;
      s.log.append(ej.term, ej.command);
    }
    s.markDirty();
    if (s.tracing) s.traceIndex("Log", "LOG2", `S${s.me} append [${index}..${s.log.lastIndex()}]`, index);
    break;
  }

  // Rule 5: if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
  if (a.leaderCommit > s.commitIndex) {
    advanceCommitIndex(s, Math.min(a.leaderCommit, lastNew), `leader S${a.leaderId} commit ${a.leaderCommit}`);
  }
  return { term: s.currentTerm, success: true, xTerm: -1, xIndex: -1, xLen: s.log.lastIndex() + 1 };
}

/**
 * An AppendEntries reply (or failure) arrived. It acts only if we are still the leader of the term
 * that sent it; success advances matchIndex to what that request covered (never beyond, never back),
 * failure backs nextIndex up using the hint, and both are harmless when stale, duplicated or reordered.
 */
export function handleAppendEntriesReply(s: NodeState, req: Extract<OutRequest, { method: typeof RPC_APPEND_ENTRIES }>, r: AppendEntriesReply | null): void {
  const p = req.to;
  const pr = progressOf(s, p);
  const sameLeadership = s.role === "leader" && s.currentTerm === req.args.term;
  if (sameLeadership && pr.outstanding > 0) pr.outstanding--;
  if (r === null) return;
  const a = req.args;
  const covered = a.prevLogIndex + a.entries.length;
  const stale = !sameLeadership || r.term !== a.term || (r.success ? covered <= pr.matchIndex && a.entries.length > 0 : a.prevLogIndex <= pr.matchIndex);
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "AppendEntriesReply",
      topic: stale && r.term <= s.currentTerm ? "DROP" : "LOG1",
      msg: describeAppendEntriesReply(p, s.me, r) + (stale ? " (stale)" : ""),
      dst: s.me,
      from: p,
      id: req.id,
      dir: "recv",
      mterm: r.term,
      success: r.success,
      xTerm: r.xTerm,
      xIndex: r.xIndex,
      xLen: r.xLen,
    });
  }
  if (observeTerm(s, r.term, `AppendEntries reply from S${p} in T${r.term}`)) return;
  if (!sameLeadership || r.term !== a.term) return;

  if (r.success) {
    if (covered > pr.matchIndex) {
      pr.matchIndex = covered;
      maybeCommit(s);
    }
    if (pr.nextIndex < covered + 1) pr.nextIndex = covered + 1;
  } else if (a.prevLogIndex > pr.matchIndex) {
    // A failure about prevLogIndex: the follower lacks (prevLogIndex, prevLogTerm). Back up using the
    // hint, but never below what it is known to hold, nor above prevLogIndex.
    let next: number;
    if (r.xTerm === -1) next = r.xLen;
    else {
      const lastOfTerm = s.log.lastIndexOfTerm(r.xTerm);
      next = lastOfTerm > 0 ? lastOfTerm + 1 : r.xIndex;
    }
    next = Math.max(pr.matchIndex + 1, Math.min(next, a.prevLogIndex));
    if (next < pr.nextIndex) {
      if (s.tracing) s.trace("Log", "LOG2", `S${s.me} nextIndex[S${p}] ${pr.nextIndex} -> ${next}`);
      pr.nextIndex = next;
    }
  }
  // Keep a lagging peer moving without waiting for the next heartbeat.
  if (s.role === "leader" && pr.outstanding === 0 && pr.nextIndex <= s.log.lastIndex()) sendTo(s, p);
}
