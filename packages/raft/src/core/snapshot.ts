// Log compaction (§7): the service's snapshot() trims the log, InstallSnapshot brings a follower whose
// next entry was compacted away up to date (send.ts sends it), and a snapshot older than what we hold
// is ignored.

import { assert } from "./assert.js";
import { maybeCommit } from "./commit.js";
import type { InstallSnapshotArgs, InstallSnapshotReply, OutRequest, RPC_INSTALL_SNAPSHOT } from "./messages.js";
import { becomeFollower, observeTerm } from "./roles.js";
import { describeInstallSnapshot, describeInstallSnapshotReply } from "./rpc.js";
import { sendTo } from "./send.js";
import type { NodeState } from "./state.js";

/**
 * The service has applied everything up to `index` and gives us its snapshot: drop the log prefix.
 * A snapshot at or below the current one is older than the log and is ignored; one beyond what was
 * applied is refused (the service cannot have applied it).
 */
export function takeSnapshot(s: NodeState, index: number, data: Uint8Array): void {
  if (index <= s.log.snapshotIndex || index > s.lastApplied) {
    if (s.tracing) {
      const why = index <= s.log.snapshotIndex ? `not past snapshot ${s.log.snapshotIndex}` : `beyond lastApplied ${s.lastApplied}`;
      s.traceIndex("Snapshot", "WARN", `S${s.me} ignore snapshot at ${index}: ${why}`, index);
    }
    return;
  }
  s.log.compactTo(index);
  s.snapshotData = data;
  s.markDirty();
  if (s.tracing)
    s.traceIndex("Snapshot", "SNAP", `S${s.me} snapshot at ${index} (T${s.log.snapshotTerm}), ${data.length}B; log (${index},${s.log.lastIndex()}]`, index);
}

/** Figure 13, InstallSnapshot RPC receiver implementation (whole snapshot in one message, no offset). */
export function handleInstallSnapshot(s: NodeState, a: InstallSnapshotArgs, id: string | undefined): InstallSnapshotReply {
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "InstallSnapshot",
      topic: "SNAP",
      msg: describeInstallSnapshot(a.leaderId, s.me, a),
      dst: s.me,
      from: a.leaderId,
      id,
      dir: "recv",
      mterm: a.term,
      lastIncludedIndex: a.lastIncludedIndex,
      lastIncludedTerm: a.lastIncludedTerm,
    });
  }
  installSnapshotReceiver(s, a);
  const reply: InstallSnapshotReply = { term: s.currentTerm };
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "InstallSnapshotReply",
      topic: "SNAP",
      msg: describeInstallSnapshotReply(s.me, a.leaderId, reply),
      dst: a.leaderId,
      from: s.me,
      id,
      dir: "send",
      mterm: reply.term,
    });
  }
  return reply;
}

function installSnapshotReceiver(s: NodeState, a: InstallSnapshotArgs): void {
  // Rule 1: reply immediately if term < currentTerm.
  if (a.term < s.currentTerm) return;
  observeTerm(s, a.term, `InstallSnapshot from leader S${a.leaderId} in T${a.term}`);
  // Election Safety: at most one leader per term.
  assert(s.role !== "leader", `two leaders in term ${s.currentTerm}: S${s.me} and S${a.leaderId}`);
  if (s.role === "candidate") becomeFollower(s, a.term, `InstallSnapshot from leader S${a.leaderId}`);
  s.leaderId = a.leaderId;
  s.resetElectionTimer();
  // A snapshot that covers nothing beyond what we have committed is older than our log: ignore it,
  // or we would throw away committed entries and move the state machine backwards.
  if (a.lastIncludedIndex <= s.commitIndex) {
    if (s.tracing) s.trace("Snapshot", "DROP", `S${s.me} ignore snapshot at ${a.lastIncludedIndex}: commitIndex is ${s.commitIndex}`);
    return;
  }
  // Rules 6 and 7: keep the log suffix after a matching entry, otherwise discard the whole log.
  s.log.installSnapshot(a.lastIncludedIndex, a.lastIncludedTerm);
  s.snapshotData = a.data;
  s.markDirty();
  // Rule 8: reset the state machine using the snapshot contents.
  s.commitIndex = a.lastIncludedIndex;
  s.lastApplied = a.lastIncludedIndex;
  s.out.apply.push({
    commandValid: false,
    snapshotValid: true,
    snapshot: a.data,
    snapshotTerm: a.lastIncludedTerm,
    snapshotIndex: a.lastIncludedIndex,
  });
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "Snapshot",
      topic: "SNAP",
      msg: `S${s.me} install snapshot at ${a.lastIncludedIndex} (T${a.lastIncludedTerm}); log (${a.lastIncludedIndex},${s.log.lastIndex()}]`,
      index: a.lastIncludedIndex,
    });
    s.traceIndex("Apply", "APLY", `S${s.me} apply snapshot at ${a.lastIncludedIndex}`, a.lastIncludedIndex);
  }
}

/** An InstallSnapshot reply arrived: the peer now holds everything up to the snapshot we sent. */
export function handleInstallSnapshotReply(
  s: NodeState,
  req: Extract<OutRequest, { method: typeof RPC_INSTALL_SNAPSHOT }>,
  r: InstallSnapshotReply | null,
): void {
  const p = req.to;
  const pr = s.progress[p];
  assert(pr !== undefined, `no progress slot for peer ${p}`);
  const sameLeadership = s.role === "leader" && s.currentTerm === req.args.term;
  if (sameLeadership && pr.outstanding > 0) pr.outstanding--;
  if (r === null) return;
  const stale = !sameLeadership || r.term !== req.args.term;
  if (s.tracing) {
    s.emit({
      t: s.now,
      src: s.me,
      term: s.currentTerm,
      state: s.role,
      op: "InstallSnapshotReply",
      topic: stale ? "DROP" : "SNAP",
      msg: describeInstallSnapshotReply(p, s.me, r) + (stale ? " (stale)" : ""),
      dst: s.me,
      from: p,
      id: req.id,
      dir: "recv",
      mterm: r.term,
    });
  }
  if (observeTerm(s, r.term, `InstallSnapshot reply from S${p} in T${r.term}`)) return;
  if (stale) return;
  const upTo = req.args.lastIncludedIndex;
  if (upTo > pr.matchIndex) {
    pr.matchIndex = upTo;
    maybeCommit(s);
  }
  if (pr.nextIndex < upTo + 1) pr.nextIndex = upTo + 1;
  if (pr.outstanding === 0 && pr.nextIndex <= s.log.lastIndex()) sendTo(s, p);
}
