// Conformance mode (src/conform/): one peer driven by scripted RPCs, checked case by case against
// Figure 2 (and Figure 13). Our Raft passes every case; each follower-side mutant of the catalogue
// (test/fixtures/mutants/, built outside the product code) fails the case named after the rule it breaks.

import { make } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { CONFORM_CASES, runConformance, type ConformResult } from "../src/conform/run.js";
import { MUTANTS } from "./fixtures/mutants/catalogue.mjs";
import { loadMutant } from "./fixtures/mutants/load.js";

/** For each mutant: the start of the name of a case that must catch it, and what its mismatch must say. */
export const CONFORM_CATCHES: ReadonlyArray<{ readonly mutant: string; readonly caseName: string; readonly mismatch: RegExp }> = [
  { mutant: "vote-without-up-to-date-check", caseName: "§5.4.1: refuse a candidate whose last log term is older", mismatch: /voteGranted must be false, got true/ },
  { mutant: "forget-voted-for", caseName: "Persistent state: votedFor survives a crash", mismatch: /voteGranted must be false, got true/ },
  { mutant: "vote-twice-in-term", caseName: "RequestVote 2: at most one vote per term", mismatch: /the vote of term 1 went to S1/ },
  { mutant: "keep-voted-for-across-terms", caseName: "All servers: a newer term clears votedFor", mismatch: /voteGranted must be true, got false/ },
  { mutant: "term-not-persisted", caseName: "All servers: an AppendEntries with term T > currentTerm sets currentTerm = T, persisted", mismatch: /currentTerm must be persisted/ },
  { mutant: "truncate-on-matching-append", caseName: "AppendEntries 3: a heartbeat whose prevLogIndex is behind entries already matched", mismatch: /does not hold entry 3 of term 1/ },
  { mutant: "commit-beyond-verified", caseName: "AppendEntries 5: a heartbeat commits only up to its prevLogIndex", mismatch: /applied up to index 3, expected exactly 1/ },
  { mutant: "appended-entries-not-persisted", caseName: "AppendEntries 4: append any new entries not already in the log", mismatch: /restarted from its persisted state the peer does not hold entry 3/ },
  { mutant: "stale-term-in-append-entries-reply", caseName: "All servers: an AppendEntries with term T > currentTerm", mismatch: /the reply's term must be 5, got 0/ },
  { mutant: "apply-out-of-order", caseName: "All servers: if commitIndex > lastApplied, apply log[lastApplied] in order", mismatch: /applies must be in order/ },
];

const byName = (rs: readonly ConformResult[], start: string): ConformResult | undefined => rs.find((r) => r.name.startsWith(start));

describe("conformance cases", () => {
  it("are named after distinct Figure 2 sentences", () => {
    expect(new Set(CONFORM_CASES.map((c) => c.name)).size).toBe(CONFORM_CASES.length);
    for (const c of CONFORM_CASES) expect(c.steps.length, c.name).toBeGreaterThan(0);
  });

  it("our Raft passes every case, restarts between steps included", async () => {
    const rs = await runConformance(make);
    expect(rs).toHaveLength(CONFORM_CASES.length);
    expect(rs.filter((r) => !r.ok).map((r) => `${r.name}: ${r.mismatch}`)).toEqual([]);
    // Follower cases ran once per restart point too.
    expect(rs.reduce((n, r) => n + r.runs, 0)).toBeGreaterThan(rs.length);
  });

  it("a Raft that throws from handleRpc fails with a one-line mismatch instead of crashing the run", async () => {
    const throwing: typeof make = (...args) => {
      const p = make(...args);
      return {
        start: (c) => p.start(c),
        getState: () => p.getState(),
        kill: () => p.kill(),
        snapshot: (i, d) => p.snapshot(i, d),
        persistBytes: () => p.persistBytes(),
        handleRpc: () => {
          throw new Error("boom\nsecond line");
        },
      };
    };
    const rs = await runConformance(throwing, { only: ["RequestVote 1"] });
    expect(rs).toHaveLength(1);
    expect(rs[0]?.ok).toBe(false);
    expect(rs[0]?.mismatch).toMatch(/handleRpc\(Raft\.AppendEntries\) threw: Error: boom$/);
  });
});

describe("conformance catches each follower-side mutant by the rule it breaks", () => {
  it("every catch names a mutant of the catalogue and an existing case", () => {
    const names = new Set(MUTANTS.map((m) => m.name));
    for (const c of CONFORM_CATCHES) {
      expect(names.has(c.mutant), c.mutant).toBe(true);
      expect(CONFORM_CASES.some((k) => k.name.startsWith(c.caseName)), c.caseName).toBe(true);
    }
  });

  for (const c of CONFORM_CATCHES) {
    it(`${c.mutant}: "${c.caseName}"`, async () => {
      const rs = await runConformance(await loadMutant(c.mutant));
      const r = byName(rs, c.caseName);
      expect(r?.ok, `${c.mutant} passed "${c.caseName}"`).toBe(false);
      expect(r?.mismatch).toMatch(c.mismatch);
    });
  }
});
