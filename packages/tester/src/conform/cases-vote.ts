// RequestVote receiver (Figure 2) and the "all servers" term rule, as seen from a voter.
import { follower, type ConformCase } from "./case.js";
import { entries, logOf } from "./script.js";

const L = logOf(...entries(1, 1, 1, 2));

export const VOTE_CASES: readonly ConformCase[] = [
  follower(
    "RequestVote 1: reply false if term < currentTerm",
    (s) => s.appendEntries({ term: 3, prevIndex: 0, prevTerm: 0 }, { success: true }, "a heartbeat from the leader of term 3"),
    (s) => s.requestVote({ term: 2, candidate: 2, lastIndex: 9, lastTerm: 2 }, { granted: false, term: 3 }, "its term 2 is older than the receiver's 3"),
  ),
  follower(
    "RequestVote 2: votedFor is null and the candidate's log is at least as up-to-date: grant vote",
    (s) => s.requestVote({ term: 1, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 1 }, "a fresh voter's log is empty"),
    (s) => s.expectPersisted({ term: 1 }, "after granting a vote in term 1"),
  ),
  follower(
    "RequestVote 2: votedFor is candidateId: a duplicated RequestVote is granted again",
    (s) => s.requestVote({ term: 1, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 1 }, "first request"),
    (s) => s.requestVote({ term: 1, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 1 }, "the same candidate asks again in the same term"),
  ),
  follower(
    "RequestVote 2: at most one vote per term: a second candidate in the same term is refused",
    (s) => s.requestVote({ term: 1, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 1 }, "first candidate of term 1"),
    (s) => s.requestVote({ term: 1, candidate: 2, lastIndex: 5, lastTerm: 1 }, { granted: false, term: 1 }, "the vote of term 1 went to S1"),
  ),
  follower(
    "Persistent state: votedFor survives a crash (a restarted voter does not vote twice in a term)",
    (s) => s.requestVote({ term: 4, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 4 }, "first candidate of term 4"),
    async (s) => {
      await s.p.restart();
      await s.requestVote({ term: 4, candidate: 2, lastIndex: 3, lastTerm: 4 }, { granted: false, term: 4 }, "its vote of term 4 went to S1 before the crash");
    },
  ),
  follower(
    "§5.4.1: refuse a candidate whose last log term is older than the voter's",
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: [...L.values()] }, { success: true }, "the voter's log is [1 1 2]"),
    (s) =>
      s.requestVote(
        { term: 3, candidate: 2, lastIndex: 5, lastTerm: 1 },
        { granted: false, term: 3 },
        "last log term 1 is older than the voter's 2, even with a longer log",
      ),
  ),
  follower(
    "§5.4.1: refuse a candidate with the same last term and a shorter log",
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: [...L.values()] }, { success: true }, "the voter's log is [1 1 2]"),
    (s) =>
      s.requestVote({ term: 3, candidate: 2, lastIndex: 2, lastTerm: 2 }, { granted: false, term: 3 }, "same last term 2, but 2 entries against the voter's 3"),
  ),
  follower(
    "§5.4.1: grant a candidate with the same last term and a log at least as long",
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: [...L.values()] }, { success: true }, "the voter's log is [1 1 2]"),
    (s) => s.requestVote({ term: 3, candidate: 2, lastIndex: 3, lastTerm: 2 }, { granted: true, term: 3 }, "same last term and length: at least as up-to-date"),
  ),
  follower(
    "§5.4.1: grant a candidate whose last log term is newer, even with a shorter log",
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: [...L.values()] }, { success: true }, "the voter's log is [1 1 2]"),
    (s) => s.requestVote({ term: 4, candidate: 2, lastIndex: 1, lastTerm: 3 }, { granted: true, term: 4 }, "last log term 3 is newer than the voter's 2"),
  ),
  follower(
    "All servers: a RequestVote with term T > currentTerm sets currentTerm = T even when the vote is refused",
    (s) => s.appendEntries({ term: 2, prevIndex: 0, prevTerm: 0, entries: [...L.values()] }, { success: true }, "the voter's log is [1 1 2]"),
    (s) => s.requestVote({ term: 5, candidate: 2, lastIndex: 0, lastTerm: 0 }, { granted: false, term: 5 }, "an empty log is behind the voter's"),
    (s) => s.expectPersisted({ term: 5 }, "after a RequestVote of term 5"),
    (s) =>
      s.requestVote(
        { term: 5, candidate: 1, lastIndex: 3, lastTerm: 2 },
        { granted: true, term: 5 },
        "the refused candidate got no vote, so term 5's vote is free for an up-to-date one",
      ),
  ),
  follower(
    "All servers: a newer term clears votedFor: a voter of term 1 votes again in term 2",
    (s) => s.requestVote({ term: 1, candidate: 1, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 1 }, "term 1"),
    (s) => s.requestVote({ term: 2, candidate: 2, lastIndex: 0, lastTerm: 0 }, { granted: true, term: 2 }, "term 2 is a new term with no vote cast"),
  ),
];
