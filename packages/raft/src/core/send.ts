// Sending (Figure 2's leader and candidate sends): AppendEntries to one peer or all, due heartbeats,
// InstallSnapshot when a peer's next entry was compacted away, and RequestVote to every peer. Sending
// changes only the leader's bookkeeping (heartbeat deadlines, outstanding counts), never the role.

import { assert } from "./assert.js";
import {
  RPC_APPEND_ENTRIES,
  RPC_INSTALL_SNAPSHOT,
  RPC_REQUEST_VOTE,
  type AppendEntriesArgs,
  type Entry,
  type InstallSnapshotArgs,
  type OutRequest,
  type RequestVoteArgs,
} from "./messages.js";
import { describeAppendEntries, describeInstallSnapshot, describeRequestVote } from "./rpc.js";
import type { NodeState, PeerProgress } from "./state.js";

export function progressOf(s: NodeState, p: number): PeerProgress {
  const pr = s.progress[p];
  assert(pr !== undefined, `no progress slot for peer ${p}`);
  return pr;
}

/**
 * Sends to every other peer: all of them when `all` (election, heartbeat), else only those with
 * entries to send and nothing outstanding (a new command). Never waits for one peer before another.
 */
export function broadcastAppendEntries(s: NodeState, all: boolean): void {
  for (let p = 0; p < s.cfg.peerCount; p++) {
    if (p === s.me) continue;
    const pr = progressOf(s, p);
    if (all || (pr.outstanding === 0 && pr.nextIndex <= s.log.lastIndex())) sendTo(s, p);
  }
}

/** Heartbeats: sends to each peer whose heartbeat is due (at most one per heartbeatMs each). */
export function sendDueHeartbeats(s: NodeState): void {
  for (let p = 0; p < s.cfg.peerCount; p++) {
    if (p !== s.me && progressOf(s, p).heartbeatDue <= s.now) sendTo(s, p);
  }
}

/** Sends peer `p` what it needs next: InstallSnapshot if its nextIndex is compacted, else entries. */
export function sendTo(s: NodeState, p: number): void {
  const pr = progressOf(s, p);
  pr.heartbeatDue = s.now + s.cfg.heartbeatMs;
  pr.outstanding++;
  if (pr.nextIndex <= s.log.snapshotIndex) {
    sendInstallSnapshot(s, p);
    return;
  }
  const prevLogIndex = pr.nextIndex - 1;
  const prevLogTerm = s.log.termAt(prevLogIndex);
  assert(prevLogTerm !== undefined, `nextIndex ${pr.nextIndex} for S${p} beyond log end ${s.log.lastIndex()}`);
  const last = batchEnd(s, pr.nextIndex);
  const entries: Entry[] = last >= pr.nextIndex ? s.log.slice(prevLogIndex, last) : [];
  const args: AppendEntriesArgs = {
    term: s.currentTerm,
    leaderId: s.me,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit: s.commitIndex,
  };
  const req: OutRequest = { method: RPC_APPEND_ENTRIES, to: p, id: s.nextMessageId(), args };
  s.out.send.push(req);
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "AppendEntries",
      topic: "LOG1",
      msg: describeAppendEntries(s.me, p, args),
      dst: p,
      from: s.me,
      id: req.id,
      dir: "send",
      mterm: args.term,
      prevLogIndex: args.prevLogIndex,
      prevLogTerm: args.prevLogTerm,
      leaderCommit: args.leaderCommit,
      first: args.entries.length === 0 ? undefined : args.prevLogIndex + 1,
      last: args.entries.length === 0 ? undefined : args.prevLogIndex + args.entries.length,
    });
  }
}

/** The last index of a bounded batch starting at `first` (count and encoded bytes; at least one entry). */
function batchEnd(s: NodeState, first: number): number {
  const lastIndex = s.log.lastIndex();
  if (first > lastIndex) return first - 1;
  const maxLast = Math.min(lastIndex, first + s.cfg.maxEntriesPerAppend - 1);
  let bytes = s.log.recordSize(first);
  let last = first;
  while (last < maxLast) {
    const next = bytes + s.log.recordSize(last + 1);
    if (next > s.cfg.maxBytesPerAppend) break;
    bytes = next;
    last++;
  }
  return last;
}

export function sendInstallSnapshot(s: NodeState, p: number): void {
  assert(s.snapshotData !== null, `sending InstallSnapshot to S${p} without a snapshot`);
  const args: InstallSnapshotArgs = {
    term: s.currentTerm,
    leaderId: s.me,
    lastIncludedIndex: s.log.snapshotIndex,
    lastIncludedTerm: s.log.snapshotTerm,
    data: s.snapshotData,
  };
  const req: OutRequest = { method: RPC_INSTALL_SNAPSHOT, to: p, id: s.nextMessageId(), args };
  s.out.send.push(req);
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "InstallSnapshot",
      topic: "SNAP",
      msg: describeInstallSnapshot(s.me, p, args),
      dst: p,
      from: s.me,
      id: req.id,
      dir: "send",
      mterm: args.term,
      lastIncludedIndex: args.lastIncludedIndex,
      lastIncludedTerm: args.lastIncludedTerm,
    });
  }
}

/** Figure 2, candidates: "Send RequestVote RPCs to all other servers". */
export function broadcastRequestVote(s: NodeState): void {
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
        t: s.now,
        src: s.me,
        term: s.currentTerm,
        state: s.role,
        op: "RequestVote",
        topic: "VOTE",
        msg: describeRequestVote(s.me, p, args),
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
