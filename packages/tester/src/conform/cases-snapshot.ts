// InstallSnapshot receiver (Figure 13, whole snapshot in one message: rules 1, 5-8) and the service's
// snapshot() (§7), as seen from a follower.
import { follower, type ConformCase } from "./case.js";
import { entries, logOf, snapshotBytes } from "./script.js";

const FIVE = entries(1, 1, 1, 1, 1, 1);
const LOG5 = logOf(...FIVE);

export const SNAPSHOT_CASES: readonly ConformCase[] = [
  follower(
    "InstallSnapshot 1: reply immediately if term < currentTerm (a stale InstallSnapshot installs nothing)",
    (s) => s.requestVote({ term: 3, candidate: 2, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 3 }, "term 3"),
    (s) => s.installSnapshot({ term: 2, index: 5, lastTerm: 2 }, 3),
    async (s) => {
      s.expectSnapshotsApplied([], "a stale InstallSnapshot must not reach the service");
      await s.expectPersisted({ term: 3, snapshot: null }, "after a stale InstallSnapshot");
    },
  ),
  follower(
    "InstallSnapshot (All servers): a term T > currentTerm sets currentTerm = T, persisted before replying",
    (s) => s.installSnapshot({ term: 4, index: 2, lastTerm: 1 }, 4),
    async (s) => {
      s.expectState(4, false, "after an InstallSnapshot of term 4");
      await s.expectPersisted({ term: 4, snapshot: [2, 1] }, "after an InstallSnapshot of term 4");
    },
  ),
  follower(
    "InstallSnapshot 5 and 8: save the snapshot and reset the state machine with it (delivered on applyCh)",
    (s) => s.installSnapshot({ term: 1, index: 4, lastTerm: 1 }, 1),
    async (s) => {
      s.expectSnapshotsApplied([[4, 1]], "a snapshot covering an empty log");
      await s.expectPersisted({ term: 1, snapshot: [4, 1] }, "after installing a snapshot at 4");
    },
    (s) =>
      s.appendEntries(
        { term: 1, prevIndex: 4, prevTerm: 1, entries: entries(5, 1), commit: 5 },
        { success: true },
        "the snapshot's last entry (4, T1) is the new prevLogIndex",
      ),
    async (s) => s.expectApplied(logOf(...entries(1, 1, 1, 1, 1, 1)), 5, "only entry 5 is applied after the snapshot at 4", 5),
  ),
  follower(
    "InstallSnapshot 6: an existing entry with the snapshot's last index and term: retain the log entries following it",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: FIVE }, { success: true }, "the log becomes [1 1 1 1 1]"),
    (s) => s.installSnapshot({ term: 1, index: 3, lastTerm: 1 }, 1),
    async (s) => {
      s.expectSnapshotsApplied([[3, 1]], "a snapshot at 3 of a log of 5 (nothing committed)");
      await s.expectPersisted({ term: 1, log: LOG5, first: 4, last: 5, snapshot: [3, 1] }, "after a snapshot covering a prefix of a matching log");
    },
    (s) =>
      s.appendEntries(
        { term: 1, prevIndex: 5, prevTerm: 1, entries: [], commit: 5 },
        { success: true },
        "entries 4 and 5 follow the snapshot's last entry, so they are kept",
      ),
    async (s) => s.expectApplied(LOG5, 5, "entries 4-5 after the snapshot at 3", 4),
  ),
  follower(
    "InstallSnapshot 7: the log has no entry matching the snapshot's last one: discard the entire log",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: FIVE }, { success: true }, "the log becomes [1 1 1 1 1]"),
    (s) => s.installSnapshot({ term: 2, index: 3, lastTerm: 2 }, 2),
    async (s) => {
      s.expectSnapshotsApplied([[3, 2]], "a snapshot at (3, T2) over a log holding (3, T1)");
      await s.expectPersisted({ term: 2, snapshot: [3, 2], absent: [[5, 1]] }, "after a snapshot whose last entry conflicts with the log");
    },
    (s) =>
      s.appendEntries(
        { term: 2, prevIndex: 5, prevTerm: 1, entries: [], commit: 5 },
        { success: false },
        "entries 4-5 followed a conflicting entry 3 and were discarded",
      ),
  ),
  follower(
    "InstallSnapshot: a snapshot no newer than commitIndex never reaches the service (the state machine never moves backwards)",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: FIVE, commit: 5 }, { success: true }, "5 entries, all committed"),
    (s) => s.installSnapshot({ term: 1, index: 3, lastTerm: 1 }, 1),
    async (s) => {
      // A restarted peer re-learns commitIndex (volatile), so for it the snapshot at 3 may be news.
      if (!s.restarted) {
        s.expectSnapshotsApplied([], "the snapshot at 3 is older than commitIndex 5");
        s.expectApplied(LOG5, 5, "entries 1-5 applied once; nothing rolled back by the old snapshot");
      }
      // Keeping the old snapshot as mere compaction is allowed; losing entries 4-5 is not.
      const compacted = s.p.persister.readSnapshot().length > 0;
      await s.expectPersisted(
        { term: 1, log: LOG5, first: compacted ? 4 : 1, last: 5, ...(compacted ? { snapshot: [3, 1] as const } : {}) },
        "after an InstallSnapshot older than commitIndex",
      );
    },
  ),
  follower(
    "InstallSnapshot: a duplicated InstallSnapshot is delivered to the service once",
    (s) => s.installSnapshot({ term: 1, index: 4, lastTerm: 1 }, 1),
    (s) => s.installSnapshot({ term: 1, index: 4, lastTerm: 1 }, 1),
    async (s) => {
      s.expectSnapshotsApplied([[4, 1]], "the same snapshot twice");
      await s.expectPersisted({ term: 1, snapshot: [4, 1] }, "after a duplicated InstallSnapshot");
    },
  ),
  follower(
    "InstallSnapshot: reordered snapshots (the newer first) keep the newer one",
    (s) => s.installSnapshot({ term: 1, index: 6, lastTerm: 1 }, 1),
    (s) => s.installSnapshot({ term: 1, index: 3, lastTerm: 1 }, 1),
    async (s) => {
      s.expectSnapshotsApplied([[6, 1]], "a snapshot at 6, then an older one at 3");
      await s.expectPersisted({ term: 1, snapshot: [6, 1] }, "after reordered InstallSnapshots");
    },
  ),
  follower(
    "Service snapshot(index): Raft trims its log through index and persists the snapshot with its state",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: FIVE, commit: 3 }, { success: true }, "5 entries, 3 committed"),
    async (s) => {
      // A restarted peer re-learns commitIndex first: the service snapshots only what it applied.
      if (s.restarted)
        await s.appendEntries({ term: 1, prevIndex: 5, prevTerm: 1, entries: [], commit: 3 }, { success: true }, "the leader repeats leaderCommit 3");
      s.p.raft.snapshot(3, snapshotBytes(3, 1));
      await s.settle();
      await s.expectPersisted({ term: 1, log: LOG5, first: 4, last: 5, snapshot: [3, 1] }, "after the service's snapshot(3)");
    },
  ),
];
