// The invariant checker, fed bad (and good) observation sequences directly. Each case names the
// property of Figure 3 (or the Figure 2 rule) it checks.

import type { Value } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { readAppendEntries } from "../src/invariants/append-entries.js";
import { InvariantChecker, MIN_ELECTION_TIMEOUT_MS, TERM_RULE_GRACE_MS, type Violation, type Warning } from "../src/invariants/checker.js";

function checker(): { c: InvariantChecker; found: Violation[] } {
  const found: Violation[] = [];
  return { c: new InvariantChecker((v) => found.push(v)), found };
}

const ae = (term: number, prevLogIndex: number, prevLogTerm: number, entries: [number, Value][]): Value => ({
  term,
  leaderId: 0,
  prevLogIndex,
  prevLogTerm,
  entries: entries.map(([t, command]) => ({ term: t, command })),
  leaderCommit: 0,
});

describe("Election Safety (at most one leader per term)", () => {
  it("flags two peers claiming leadership of one term, naming the peers and the term", () => {
    const { c, found } = checker();
    c.observeState(0, 3, true);
    c.observeState(2, 3, false);
    c.observeState(0, 3, true);
    expect(found).toEqual([]);
    c.observeState(1, 3, true);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: "Election Safety", peers: [0, 1], term: 3 });
    expect(found[0]?.message).toBe("Election Safety violated: peers 0 and 1 are both leader in term 3 (seen via getState)");
  });

  it("counts sending AppendEntries as leading that term", () => {
    const { c, found } = checker();
    c.observeRequest(0, "Raft.AppendEntries", ae(2, 0, 0, []));
    c.observeState(4, 2, true);
    expect(found[0]).toMatchObject({ invariant: "Election Safety", peers: [0, 4], term: 2 });
  });

  it("leaders of different terms are fine", () => {
    const { c, found } = checker();
    c.observeState(0, 1, true);
    c.observeState(1, 2, true);
    c.observeState(0, 3, true);
    expect(found).toEqual([]);
  });
});

describe("Leader Append-Only (a leader never overwrites or deletes its entries)", () => {
  it("flags a leader whose entry at an index changes within its term", () => {
    const { c, found } = checker();
    c.observeRequest(
      0,
      "Raft.AppendEntries",
      ae(2, 0, 0, [
        [1, "a"],
        [2, "b"],
      ]),
    );
    c.observeRequest(0, "Raft.AppendEntries", ae(2, 1, 1, [[2, "c"]]));
    expect(found[0]).toMatchObject({ invariant: "Leader Append-Only", peers: [0], term: 2, index: 2 });
  });

  it("flags a changed prevLogTerm at an index the leader already sent", () => {
    const { c, found } = checker();
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 4, 2, [[3, "x"]]));
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 4, 1, [[3, "x"]]));
    expect(found[0]).toMatchObject({ invariant: "Leader Append-Only", index: 4 });
  });

  it("resending, and extending, its log is fine", () => {
    const { c, found } = checker();
    c.observeRequest(0, "Raft.AppendEntries", ae(2, 0, 0, [[1, "a"]]));
    c.observeRequest(
      0,
      "Raft.AppendEntries",
      ae(2, 0, 0, [
        [1, "a"],
        [2, "b"],
      ]),
    );
    c.observeRequest(0, "Raft.AppendEntries", ae(2, 2, 2, []));
    expect(found).toEqual([]);
  });
});

describe("Log Matching (same index and term: same entry and same prefix)", () => {
  it("flags two logs with one (index, term) but different commands", () => {
    const { c, found } = checker();
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 4, 2, [[2, "x"]]));
    c.observeRequest(1, "Raft.AppendEntries", ae(4, 4, 2, [[2, "y"]]));
    expect(found[0]).toMatchObject({ invariant: "Log Matching", peers: [0, 1], term: 2, index: 5 });
  });

  it("flags two logs with one (index, term) preceded by different terms", () => {
    const { c, found } = checker();
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 4, 1, [[2, "x"]]));
    c.observeRequest(1, "Raft.AppendEntries", ae(4, 4, 2, [[2, "x"]]));
    expect(found[0]).toMatchObject({ invariant: "Log Matching", index: 5 });
    expect(found[0]?.message).toContain("entries before it differ");
  });

  it("a later leader replacing an uncommitted entry with one of a newer term is fine", () => {
    const { c, found } = checker();
    c.observeRequest(
      0,
      "Raft.AppendEntries",
      ae(1, 0, 0, [
        [1, "a"],
        [1, "b"],
      ]),
    );
    c.observeRequest(1, "Raft.AppendEntries", ae(2, 1, 1, [[2, "c"]]));
    expect(found).toEqual([]);
  });
});

describe("Leader Completeness (a committed entry is in every later leader's log)", () => {
  it("flags a leader of a later term sending another command at a committed index", () => {
    const { c, found } = checker();
    c.observeState(0, 2, true);
    c.observeApply(1, 1, "committed");
    c.observeRequest(2, "Raft.AppendEntries", ae(3, 0, 0, [[3, "other"]]));
    expect(found[0]).toMatchObject({ invariant: "Leader Completeness", peers: [2, 1], term: 3, index: 1 });
  });

  it("a stale leader of an earlier term may still hold an uncommitted entry there", () => {
    const { c, found } = checker();
    c.observeState(0, 2, true);
    c.observeApply(1, 1, "committed");
    c.observeRequest(3, "Raft.AppendEntries", ae(1, 0, 0, [[1, "stale"]]));
    expect(found).toEqual([]);
  });
});

describe("State Machine Safety (no two peers apply different commands at one index)", () => {
  it("flags different commands applied at one index", () => {
    const { c, found } = checker();
    for (const p of [0, 1, 2]) c.observeRestore(p, 10); // Applies within what each peer verified (see Commit Rule).
    c.observeApply(0, 4, 104);
    c.observeApply(2, 4, 104);
    expect(found).toEqual([]);
    c.observeApply(1, 4, 105);
    expect(found[0]).toMatchObject({ invariant: "State Machine Safety", peers: [0, 1], index: 4 });
    expect(found[0]?.message).toBe("State Machine Safety violated: peers 0 and 1 applied different commands at index 4: 104 != 105");
  });
});

describe("Figure 2 rules checked from outside", () => {
  it("Term Rule: a peer told of a higher term in a reply may not keep sending in its old term", () => {
    const { c, found } = checker();
    c.observeReply(0, 1, { term: 5, success: false }, 1000);
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 0, 0, []), 1000 + TERM_RULE_GRACE_MS - 1);
    expect(found).toEqual([]);
    c.observeRequest(0, "Raft.AppendEntries", ae(3, 0, 0, []), 1000 + TERM_RULE_GRACE_MS);
    expect(found[0]).toMatchObject({ invariant: "Term Rule", peers: [0, 1], term: 5 });
  });

  it("Term Rule: a restart forgets what a peer was told but had not persisted", () => {
    const { c, found } = checker();
    c.observeReply(0, 1, { term: 5 }, 0);
    c.observeRestart(0);
    c.observeRequest(0, "Raft.RequestVote", { term: 4, candidateId: 0 }, 500);
    expect(found).toEqual([]);
  });

  it("One Vote Per Term: a voter granting two candidates in one term", () => {
    const { c, found } = checker();
    c.observeHandled(2, 0, "Raft.RequestVote", { term: 7, candidateId: 0 }, { term: 7, voteGranted: true });
    c.observeHandled(2, 0, "Raft.RequestVote", { term: 7, candidateId: 0 }, { term: 7, voteGranted: true });
    c.observeHandled(2, 1, "Raft.RequestVote", { term: 7, candidateId: 1 }, { term: 7, voteGranted: false });
    expect(found).toEqual([]);
    c.observeHandled(2, 1, "Raft.RequestVote", { term: 7, candidateId: 1 }, { term: 7, voteGranted: true });
    expect(found[0]).toMatchObject({ invariant: "One Vote Per Term", peers: [2, 0, 1], term: 7 });
  });

  it("One Vote Per Term: a candidate's own vote counts once it has answered anything in that term", () => {
    const { c, found } = checker();
    c.observeRequest(1, "Raft.RequestVote", { term: 4, candidateId: 1 });
    c.observeHandled(1, 0, "Raft.AppendEntries", ae(4, 0, 0, []), { term: 4, success: false });
    c.observeHandled(1, 2, "Raft.RequestVote", { term: 4, candidateId: 2 }, { term: 4, voteGranted: true });
    expect(found[0]).toMatchObject({ invariant: "One Vote Per Term", peers: [1, 1, 2], term: 4 });
  });
});

describe("Vote Resets Timer (Figure 2 followers): a counted warning judged by what the peer did (issue 11 §5)", () => {
  function warned(): { c: InvariantChecker; found: Violation[]; warnings: Warning[] } {
    const found: Violation[] = [];
    const warnings: Warning[] = [];
    return {
      c: new InvariantChecker(
        (v) => found.push(v),
        (w) => warnings.push(w),
      ),
      found,
      warnings,
    };
  }

  it("warns (never fails) about an election started less than 100 ms after granting a vote", () => {
    const { c, found, warnings } = warned();
    c.observeHandled(3, 1, "Raft.RequestVote", { term: 5, candidateId: 1 }, { term: 5, voteGranted: true }, 1000);
    c.observeRequest(3, "Raft.RequestVote", { term: 6, candidateId: 3 }, 1000 + MIN_ELECTION_TIMEOUT_MS - 1);
    expect(found).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ kind: "Vote Resets Timer", peers: [3, 1], term: 6 })]);
  });

  it("an election at least 100 ms after the vote, or a vote refused, is fine", () => {
    const { c, found, warnings } = warned();
    c.observeHandled(3, 1, "Raft.RequestVote", { term: 5, candidateId: 1 }, { term: 5, voteGranted: true }, 1000);
    c.observeRequest(3, "Raft.RequestVote", { term: 6, candidateId: 3 }, 1000 + MIN_ELECTION_TIMEOUT_MS);
    c.observeHandled(2, 1, "Raft.RequestVote", { term: 5, candidateId: 1 }, { term: 5, voteGranted: false }, 2000);
    c.observeRequest(2, "Raft.RequestVote", { term: 6, candidateId: 2 }, 2001);
    expect([...found, ...warnings]).toEqual([]);
  });

  it("a correct Raft with short timeouts (80-160 ms) that has shown an 82 ms timeout is not warned about at 90 ms", () => {
    const { c, warnings } = warned();
    // Peer 3 follows leader 0 in term 5, then times out 82 ms after the leader's last AppendEntries.
    c.observeHandled(3, 0, "Raft.AppendEntries", ae(5, 0, 0, []), { term: 5, success: true }, 1000);
    c.observeRequest(3, "Raft.RequestVote", { term: 6, candidateId: 3 }, 1082);
    // Later it grants peer 1 a vote and starts its own election 90 ms after: within what it has shown.
    c.observeHandled(3, 1, "Raft.RequestVote", { term: 7, candidateId: 1 }, { term: 7, voteGranted: true }, 2000);
    c.observeRequest(3, "Raft.RequestVote", { term: 8, candidateId: 3 }, 2090);
    expect(warnings).toEqual([]);
    // 70 ms after a vote is shorter than anything it has shown: the warning stands.
    c.observeHandled(3, 1, "Raft.RequestVote", { term: 9, candidateId: 1 }, { term: 9, voteGranted: true }, 3000);
    c.observeRequest(3, "Raft.RequestVote", { term: 10, candidateId: 3 }, 3070);
    expect(warnings.map((w) => w.kind)).toEqual(["Vote Resets Timer"]);
  });
});

describe("the checker", () => {
  it("reports only the first violation", () => {
    const { c, found } = checker();
    for (const p of [0, 1]) c.observeRestore(p, 10);
    c.observeApply(0, 1, 1);
    c.observeApply(1, 1, 2);
    c.observeApply(1, 2, 3);
    c.observeApply(0, 2, 4);
    expect(found).toHaveLength(1);
    expect(c.failed).toBe(true);
  });

  it("reads Go-style and snake_case AppendEntries arguments, and ignores unknown shapes", () => {
    const go = readAppendEntries("Raft.AppendEntries", {
      Term: 2,
      LeaderId: 0,
      PrevLogIndex: 3,
      PrevLogTerm: 1,
      Entries: [{ Term: 2, Command: 9 }],
      LeaderCommit: 0,
    });
    expect(go).toEqual({ term: 2, prevLogIndex: 3, prevLogTerm: 1, entries: [{ term: 2, command: 9 }] });
    const snake = readAppendEntries("append_entries", { term: 2, prev_log_index: 0, prev_log_term: 0, entries: [] });
    expect(snake).toBeNull(); // The method name must contain "AppendEntries" (case-insensitive).
    expect(readAppendEntries("Raft.AppendEntries", { term: 2, prev_log_index: 0, prev_log_term: 0, entries: [] })).not.toBeNull();
    expect(readAppendEntries("Raft.AppendEntries", [2, 0, 0, []])).toBeNull();
    expect(readAppendEntries("Raft.RequestVote", { term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [] })).toBeNull();
  });
});
