// AppendEntries receiver (Figure 2, rules 1-5), including the stale, duplicated and reordered
// requests the lab's random tests rarely produce against a well-behaved leader.
import { follower, type ConformCase } from "./case.js";
import { entries, entry, logOf } from "./script.js";

const THREE = entries(1, 1, 1, 1);
const LOG3 = logOf(...THREE);

export const APPEND_CASES: readonly ConformCase[] = [
  follower(
    "AppendEntries 1: reply false if term < currentTerm (and append nothing)",
    (s) => s.requestVote({ term: 3, candidate: 2, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 3 }, "term 3"),
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: entries(1, 2), commit: 1 }, { success: false, term: 3 }, "term 2 is stale"),
    async (s) => {
      s.expectApplied(new Map(), 0, "a stale AppendEntries must not commit");
      await s.expectPersisted({ term: 3, absent: [[1, 2]] }, "after a stale AppendEntries");
    },
  ),
  follower(
    "AppendEntries 2: reply false if the log doesn't contain an entry at prevLogIndex",
    (s) => s.appendEntries({ term: 1, prevIndex: 2, prevTerm: 1, entries: entries(3, 1) }, { success: false }, "the log is empty"),
    (s) => s.expectPersisted({ term: 1, absent: [[3, 1]] }, "after a refused AppendEntries"),
  ),
  follower(
    "AppendEntries 2: reply false if the entry at prevLogIndex has a different term than prevLogTerm",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "the log becomes [1 1 1]"),
    (s) => s.appendEntries({ term: 2, prevIndex: 3, prevTerm: 2, entries: entries(4, 2) }, { success: false, term: 2 }, "entry 3 has term 1, not 2"),
    (s) => s.expectPersisted({ term: 2, log: LOG3, last: 3, absent: [[4, 2]] }, "after a mismatched prevLogTerm"),
  ),
  follower(
    "AppendEntries 3: an existing entry conflicts with a new one (same index, different terms): delete it and all that follow",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "the log becomes [1 1 1]"),
    (s) => s.appendEntries({ term: 2, prevIndex: 1, prevTerm: 1, entries: [entry(2, 2)] }, { success: true }, "entry 1 matches"),
    (s) => s.expectPersisted({ term: 2, log: logOf(entry(1, 1), entry(2, 2)), last: 2, absent: [[3, 1]] }, "after a conflict at index 2"),
  ),
  follower(
    "AppendEntries 3: entries already present are no conflict: a stale, shorter AppendEntries truncates nothing",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "the log becomes [1 1 1]"),
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE.slice(0, 1) }, { success: true }, "entry 1 is already there"),
    (s) => s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after an AppendEntries whose one entry was already present"),
  ),
  follower(
    "AppendEntries 3: a heartbeat whose prevLogIndex is behind entries already matched truncates nothing",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "the log becomes [1 1 1]"),
    (s) => s.appendEntries({ term: 1, prevIndex: 1, prevTerm: 1, entries: [] }, { success: true }, "entry 1 matches"),
    (s) => s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after a heartbeat at prevLogIndex 1"),
  ),
  follower(
    "AppendEntries 4: append any new entries not already in the log (an overlapping batch)",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE.slice(0, 2) }, { success: true }, "the log becomes [1 1]"),
    (s) => s.appendEntries({ term: 1, prevIndex: 1, prevTerm: 1, entries: THREE.slice(1) }, { success: true }, "entry 1 matches; 2 is present, 3 is new"),
    (s) => s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after an overlapping batch"),
  ),
  follower(
    "AppendEntries: a duplicated request is harmless (same reply, same log)",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE, commit: 1 }, { success: true }, "first delivery"),
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE, commit: 1 }, { success: true }, "the same request again"),
    async (s) => {
      s.expectApplied(LOG3, 1, "leaderCommit 1");
      await s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after a duplicated AppendEntries");
    },
  ),
  follower(
    "AppendEntries: reordered requests (the longer one first) keep the longer log",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "the later request, delivered first"),
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE.slice(0, 2) }, { success: true }, "an earlier, shorter request"),
    (s) => s.appendEntries({ term: 1, prevIndex: 1, prevTerm: 1, entries: THREE.slice(1, 2) }, { success: true }, "an earlier request from index 2"),
    (s) => s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after reordered AppendEntries"),
  ),
  follower(
    "AppendEntries 5: if leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new entry)",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE, commit: 2 }, { success: true }, "3 entries, leaderCommit 2"),
    async (s) => s.expectApplied(LOG3, 2, "leaderCommit 2 of 3 new entries"),
  ),
  follower(
    "AppendEntries 5: a leaderCommit beyond the new entries commits only up to the last new entry",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE.slice(0, 2), commit: 5 }, { success: true }, "2 entries, leaderCommit 5"),
    async (s) => s.expectApplied(LOG3, 2, "leaderCommit 5 but only 2 entries verified"),
  ),
  follower(
    "AppendEntries 5: a heartbeat commits only up to its prevLogIndex, not stale entries beyond it",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "entries 1-3 from the leader of term 1"),
    (s) =>
      s.appendEntries(
        { term: 2, leader: 2, prevIndex: 1, prevTerm: 1, entries: [], commit: 3 },
        { success: true },
        "the new leader of term 2 matched entry 1 only",
      ),
    async (s) => s.expectApplied(LOG3, 1, "the leader of term 2 verified index 1 only (entries 2-3 may differ in its log)"),
  ),
  follower(
    "All servers: an AppendEntries with term T > currentTerm sets currentTerm = T, persisted before replying",
    (s) => s.appendEntries({ term: 5, prevIndex: 0, prevTerm: 0, entries: [] }, { success: true }, "a heartbeat of term 5"),
    async (s) => {
      s.expectState(5, false, "after a heartbeat of term 5");
      await s.expectPersisted({ term: 5 }, "after a heartbeat of term 5");
    },
  ),
  follower(
    "Persistent state: entries appended from AppendEntries are persisted before replying",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE }, { success: true }, "3 new entries"),
    (s) => s.expectPersisted({ term: 1, log: LOG3, last: 3 }, "after appending 3 entries"),
  ),
  follower(
    "All servers: if commitIndex > lastApplied, apply log[lastApplied] in order, each index once",
    (s) => s.appendEntries({ term: 1, prevIndex: 0, prevTerm: 0, entries: THREE, commit: 1 }, { success: true }, "commit 1"),
    (s) => s.appendEntries({ term: 1, prevIndex: 3, prevTerm: 1, entries: [], commit: 3 }, { success: true }, "commit 3"),
    async (s) => s.expectApplied(LOG3, 3, "commit 1 then 3"),
  ),
];
