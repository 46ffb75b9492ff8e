// The Figure 2 rules the checker enforces at the moment they are broken (src/invariants/figure2.ts and
// the restart probes): each fires on a deliberately broken Raft (a variant of examples/simple-raft,
// test/fixtures/checks/simple-variants.mjs, or a mutant of ours), with a message that names the rule, the
// peers, the terms and the indices; and none fires on our Raft or on examples/simple-raft (here at a few
// seeds of the busiest tests; `raftlab batch -n 200` covers the whole suite, see README).

import type { MakeRaft, Value } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { InvariantChecker, type Violation, type Warning } from "../src/invariants/checker.js";
import { runTest, type RunResult } from "../src/runner.js";
import { loadVariant } from "./fixtures/checks/simple-variants.mjs";
import { loadMutant } from "./fixtures/mutants/load.js";
// The source, as lab-suite.test.ts does: a clean clone has no examples/simple-raft/dist.
import { make as simpleRaft } from "../../../examples/simple-raft/raft.js";

async function firstFailure(test: string, impl: MakeRaft, maxSeeds: number, strict = false): Promise<RunResult | null> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const r = await runTest(test, { seed, impl, strict });
    if (!r.ok) return r;
  }
  return null;
}

interface Case {
  readonly rule: string;
  /** A simple-raft variant ("a+b" combines), or "mutant:NAME" for a mutant of our Raft. */
  readonly impl: string;
  readonly test: string;
  readonly seeds: number;
  readonly message: RegExp;
  /** Run with --strict (a missing persist in a 3A or 3B test is only a counted warning without it). */
  readonly strict?: boolean;
}

const CASES: readonly Case[] = [
  {
    rule: "Reply Term",
    impl: "leader-ignores-higher-rv",
    test: "TestManyElections3A",
    seeds: 3,
    message: /^Reply Term violated: S\d answered S\d's RequestVote of term \d+ with term \d+ \(Figure 2, all servers/,
  },
  {
    rule: "Leader Majority",
    impl: "counts-stale-votes",
    test: "TestFigure8Unreliable3C",
    seeds: 3,
    message: /^Leader Majority violated: S\d became leader of term \d+ with votes from S\d(, S\d)* only \(\d of 5 servers; Figure 2, candidates/,
  },
  {
    rule: "Up-To-Date Vote",
    impl: "vote-ignores-log",
    test: "TestPersist23C",
    seeds: 3,
    message:
      /^Up-To-Date Vote violated: S\d granted S\d its vote in term \d+, but S\d's log ends at index \d+ \(term \d+\) and S\d's reaches at least index \d+ \(term \d+\)/,
  },
  {
    rule: "Keep Matching Entries",
    impl: "one-entry-per-append+truncate-on-heartbeat",
    test: "TestConcurrentStarts3B",
    seeds: 3,
    message:
      /^Keep Matching Entries violated: S\d acknowledged entries up to index \d+ to S\d in term \d+, then refused its AppendEntries with prevLogIndex \d+ \(term \d+\) in the same term/,
  },
  {
    rule: "Keep Matching Entries",
    impl: "snapshot-drops-suffix",
    test: "TestSnapshotBasic3D",
    seeds: 3,
    message: /^Keep Matching Entries violated: S\d acknowledged entries up to index \d+ to S\d in term \d+, then refused/,
  },
  {
    rule: "Commit Rule",
    impl: "one-entry-per-append+commit-beyond-verified",
    test: "TestRejoin3B",
    seeds: 3,
    message:
      /^Commit Rule violated: S\d applied index \d+, but the entries it verified .* end at \d+ \(.*latest accepted: S\d's AppendEntries of term \d+ \(prevLogIndex \d+, \d+ entries, leaderCommit \d+\)\)/,
  },
  {
    rule: "Snapshot Order",
    impl: "installs-old-snapshot",
    test: "TestSnapshotBasic3D",
    seeds: 3,
    message: /^Snapshot Order violated: S\d delivered a snapshot up to index \d+ after applying up to \d+/,
  },
  {
    rule: "Persist Before Reply",
    impl: "mutant:term-not-persisted",
    strict: true,
    test: "TestReElection3A",
    seeds: 3,
    message:
      /^Persist Before Reply violated \(--strict\): S\d would forget its (?:term|log entry) on a crash; required from 3C: S\d replied to S\d's \w+ with term (\d+), but restarted from its persisted state it reports term \d+ \(Figure 2: currentTerm is on stable storage/,
  },
  {
    rule: "Persist Before Reply",
    impl: "mutant:appended-entries-not-persisted",
    strict: true,
    test: "TestBasicAgree3B",
    seeds: 2,
    message:
      /^Persist Before Reply violated \(--strict\): S\d would forget its (?:term|log entry) on a crash; required from 3C: S\d acknowledged entries up to \d+ in T\d+ to S\d, but its persisted state ends at \d+ \(Figure 2: log\[\] is on stable storage/,
  },
  {
    rule: "Persist Before Reply",
    impl: "entries-not-persisted",
    strict: true,
    test: "TestBasicAgree3B",
    seeds: 2,
    message:
      /^Persist Before Reply violated \(--strict\): S\d would forget its (?:term|log entry) on a crash; required from 3C: S\d acknowledged entries up to \d+ in T\d+ to S\d, but its persisted state ends at \d+/,
  },
  {
    rule: "Persist Before Reply",
    impl: "start-not-persisted",
    strict: true,
    test: "TestBasicAgree3B",
    seeds: 2,
    message:
      /^Persist Before Reply violated \(--strict\): S\d would forget its (?:term|log entry) on a crash; required from 3C: S\d accepted Start\(\) at index \d+ in T\d+, but restarted from its persisted state it does not hold entry \d+/,
  },
];

async function load(impl: string): Promise<MakeRaft> {
  return impl.startsWith("mutant:") ? loadMutant(impl.slice("mutant:".length)) : loadVariant(impl);
}

describe("each Figure 2 rule fires on a Raft that breaks it, naming the rule, peers, terms and indices", () => {
  for (const c of CASES) {
    it(`${c.rule}: ${c.impl} fails ${c.test} within ${c.seeds} seeds`, async () => {
      const r = await firstFailure(c.test, await load(c.impl), c.seeds, c.strict === true);
      expect(r, `${c.impl} passed ${c.test} at seeds 1..${c.seeds}`).not.toBeNull();
      expect(r?.failure?.kind).toBe("violation");
      expect(r?.failure?.invariant).toBe(c.rule);
      expect(r?.failure?.message).toMatch(c.message);
    }, 120_000);
  }

  it("Heartbeat Rate is a counted warning (the run passes); --strict makes it a failure", async () => {
    const impl = await loadVariant("fast-heartbeats");
    const r = await runTest("TestInitialElection3A", { seed: 1, impl });
    expect(r.ok).toBe(true);
    const w = r.warnings?.find((x) => x.kind === "Heartbeat Rate");
    expect(w?.count).toBeGreaterThanOrEqual(1);
    expect(w?.message).toMatch(/^Heartbeat Rate: S\d sent S\d 11 heartbeats within \d+ ms in term \d+ \(the lab allows at most 10 per second\)$/);
    const strict = await runTest("TestInitialElection3A", { seed: 1, impl, strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.failure?.invariant).toBe("Heartbeat Rate");
    expect(strict.failure?.message).toMatch(/^Heartbeat Rate violated \(--strict\): S\d sent S\d 11 heartbeats within \d+ ms in term \d+/);
  }, 120_000);
});

describe("no rule fires, and no warning is counted, on a correct Raft", () => {
  const tests = ["TestManyElections3A", "TestBackup3B", "TestFigure8Unreliable3C", "TestUnreliableChurn3C", "TestSnapshotInstallUnCrash3D"];
  for (const [name, impl] of [
    ["our Raft", async (): Promise<MakeRaft | undefined> => undefined],
    ["examples/simple-raft", async (): Promise<MakeRaft | undefined> => simpleRaft],
  ] as const) {
    it(`${name}: ${tests.join(", ")} at seeds 1-2, strict`, async () => {
      const make = await impl();
      for (const test of tests) {
        for (let seed = 1; seed <= 2; seed++) {
          const r = await runTest(test, { seed, ...(make !== undefined ? { impl: make } : {}), strict: true });
          expect(r.failure?.message ?? "", `${test} seed ${seed}`).toBe("");
          expect(r.warnings ?? [], `${test} seed ${seed}`).toEqual([]);
        }
      }
    }, 300_000);
  }
});

// ---- the rules fed observation sequences directly -------------------------------------------------

function checker(n = 3): { c: InvariantChecker; found: Violation[]; warned: Warning[] } {
  const found: Violation[] = [];
  const warned: Warning[] = [];
  const c = new InvariantChecker(
    (v) => found.push(v),
    (w) => warned.push(w),
  );
  c.setPeers(n);
  return { c, found, warned };
}

const ae = (term: number, prevLogIndex: number, prevLogTerm: number, entries: [number, Value][], leaderCommit = 0): Value => ({
  term,
  leaderId: 0,
  prevLogIndex,
  prevLogTerm,
  entries: entries.map(([t, command]) => ({ term: t, command })),
  leaderCommit,
});
const AE = "Raft.AppendEntries";
const RV = "Raft.RequestVote";

describe("Reply Term and the Term Rule", () => {
  it("a reply's term below the request's names the server, the caller and both terms", () => {
    const { c, found } = checker();
    c.observeHandled(1, 0, AE, ae(4, 0, 0, []), { term: 3, success: false });
    expect(found[0]).toMatchObject({ invariant: "Reply Term", peers: [1, 0], term: 4 });
  });

  it("a higher term learned from a request must be adopted: sending in the old term afterwards is a Term Rule failure", () => {
    const { c, found } = checker();
    c.observeHandled(1, 0, RV, { term: 6, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 }, { term: 6, voteGranted: false }, 1000);
    c.observeRequest(1, RV, { term: 5, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 }, 1100, 2);
    expect(found[0]).toMatchObject({ invariant: "Term Rule", peers: [1, 0], term: 6 });
    expect(found[0]?.message).toMatch(/peer 1 sent Raft.RequestVote in term 5, 100 ms after a RequestVote from peer 0 told it of term 6/);
  });
});

describe("Keep Matching Entries", () => {
  it("fires when a follower refuses a prevLogIndex it acknowledged to the same leader in the same term", () => {
    const { c, found } = checker();
    c.observeHandled(
      2,
      0,
      AE,
      ae(3, 0, 0, [
        [3, "a"],
        [3, "b"],
        [3, "c"],
      ]),
      { term: 3, success: true },
    );
    c.observeHandled(2, 0, AE, ae(3, 2, 3, []), { term: 3, success: false });
    expect(found[0]).toMatchObject({ invariant: "Keep Matching Entries", peers: [2, 0], term: 3, index: 2 });
    expect(found[0]?.message).toContain("S2 acknowledged entries up to index 3 to S0 in term 3, then refused its AppendEntries with prevLogIndex 2 (term 3)");
  });

  it("stays silent for a later term, beyond what was acknowledged, after a restart, or inside a snapshot", () => {
    const { c, found } = checker();
    c.observeHandled(
      2,
      0,
      AE,
      ae(3, 0, 0, [
        [3, "a"],
        [3, "b"],
      ]),
      { term: 3, success: true },
    );
    c.observeHandled(2, 1, AE, ae(4, 2, 3, []), { term: 4, success: false }); // a new leader, a new term
    c.observeHandled(2, 1, AE, ae(4, 0, 0, [[4, "x"]]), { term: 4, success: true });
    c.observeHandled(2, 1, AE, ae(4, 5, 4, []), { term: 4, success: false }); // beyond index 1
    c.observeHandled(1, 1, AE, ae(4, 0, 0, [[4, "x"]]), { term: 4, success: true });
    c.observeRestart(1);
    c.observeHandled(1, 1, AE, ae(4, 1, 4, []), { term: 4, success: false });
    c.observeHandled(
      0,
      1,
      AE,
      ae(4, 0, 0, [
        [4, "x"],
        [4, "y"],
      ]),
      { term: 4, success: true },
    );
    c.observeSnapshot(0, 2);
    c.observeHandled(0, 1, AE, ae(4, 1, 4, []), { term: 4, success: false });
    expect(found).toEqual([]);
  });
});

describe("Commit Rule", () => {
  it("names the cause when an apply beyond the verified entries also breaks State Machine Safety", () => {
    const { c, found } = checker();
    c.observeHandled(1, 0, AE, ae(2, 0, 0, [[2, "a"]], 1), { term: 2, success: true });
    c.observeApply(1, 1, "a");
    c.observeApply(2, 2, "b");
    c.observeApply(1, 2, "stale"); // beyond index 1, which is all S1 verified
    expect(found).toEqual([]); // judged at the end of S1's event
    expect(c.holding).toBe(true);
    c.observeState(1, 2, false, 10);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: "Commit Rule", peers: [1, 0], term: 2, index: 2 });
  });

  it("an apply inside the handler whose AppendEntries verifies it is fine; a mismatch there is State Machine Safety", () => {
    const { c, found } = checker();
    c.observeApply(2, 1, "a");
    c.observeApply(1, 1, "other"); // applied first, verified by the reply below
    c.observeHandled(1, 0, AE, ae(2, 0, 0, [[2, "other"]], 1), { term: 2, success: true });
    c.observeState(1, 2, false, 10);
    expect(found[0]).toMatchObject({ invariant: "State Machine Safety", index: 1 });
  });
});

describe("Leader Majority and Up-To-Date Vote", () => {
  it("a leader with grants from a minority only", () => {
    const { c, found } = checker(5);
    c.observeRequest(3, RV, { term: 7, candidateId: 3, lastLogIndex: 0, lastLogTerm: 0 }, 0, 4);
    c.observeReply(3, 4, { term: 7, voteGranted: true }, 5, RV, { term: 7, candidateId: 3 });
    c.observeState(3, 7, true);
    expect(found[0]).toMatchObject({ invariant: "Leader Majority", peers: [3], term: 7 });
    expect(found[0]?.message).toContain("S3 became leader of term 7 with votes from S3, S4 only (2 of 5 servers");
  });

  it("a vote for a candidate whose log is behind the voter's", () => {
    const { c, found } = checker();
    c.observeHandled(
      2,
      0,
      AE,
      ae(2, 0, 0, [
        [1, "a"],
        [2, "b"],
      ]),
      { term: 2, success: true },
    );
    c.observeHandled(2, 1, RV, { term: 3, candidateId: 1, lastLogIndex: 1, lastLogTerm: 1 }, { term: 3, voteGranted: true });
    expect(found[0]).toMatchObject({ invariant: "Up-To-Date Vote", peers: [2, 1], term: 3, index: 2 });
  });
});

describe("Heartbeat Rate", () => {
  it("11 heartbeats to one follower within a second: one counted warning per leader, follower and term", () => {
    const { c, found, warned } = checker();
    for (let k = 0; k <= 10; k++) c.observeRequest(0, AE, ae(1, 0, 0, []), k * 99, 1);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ kind: "Heartbeat Rate", peers: [0, 1], term: 1 });
    for (let k = 11; k <= 30; k++) c.observeRequest(0, AE, ae(1, 0, 0, []), k * 99, 1);
    expect(warned).toHaveLength(1);
    expect(found).toEqual([]);
  });

  it("every 100 ms is within the limit", () => {
    const { c, warned } = checker();
    for (let k = 0; k <= 30; k++) c.observeRequest(0, AE, ae(1, 0, 0, []), k * 100, 1);
    expect(warned).toEqual([]);
  });
});
