// Deliberately broken Rafts (mutants of our Raft, built outside the product code by
// test/fixtures/mutants/build.mjs from catalogue.mjs) and the checks that catch them: each fails
// within a few seeds of the named lab test, for the reason the bug implies. The catch rates in
// docs/tester-power.md come from scripts/mutant-table.mjs; conformance (conform.test.ts) covers the
// follower bugs the lab's random tests cannot reach.

import type { MakeRaft } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest, type RunResult } from "../src/runner.js";
import { MUTANTS } from "./fixtures/mutants/catalogue.mjs";
import { applyPatches, PatchError } from "./fixtures/mutants/build.mjs";
import { loadMutant } from "./fixtures/mutants/load.js";

/** Runs seeds 1, 2, … until the test fails; returns that run (or null after `maxSeeds`). */
async function firstFailure(test: string, impl: MakeRaft, maxSeeds: number, strict = false): Promise<RunResult | null> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const r = await runTest(test, { seed, impl, strict });
    if (!r.ok) return r;
  }
  return null;
}

interface Catch {
  readonly mutant: string;
  readonly test: string;
  readonly seeds: number;
  /** What the failure must say: the invariant's name, or a pattern of the lab's message. */
  readonly invariant?: string | readonly string[];
  readonly message?: RegExp;
  /** Caught only with --strict (the check is a counted warning by default). */
  readonly strict?: boolean;
}

/** For each mutant the lab suite catches: the test that catches it and what it must report. */
export const LAB_CATCHES: readonly Catch[] = [
  { mutant: "vote-without-up-to-date-check", test: "TestPersist23C", seeds: 3, invariant: "Up-To-Date Vote" },
  {
    mutant: "commit-previous-term-by-count",
    test: "TestFigure8Unreliable3C",
    seeds: 5,
    invariant: ["Leader Completeness", "State Machine Safety", "Log Matching"],
  },
  // Persistence is part 3C: in 3A a forgotten vote is a counted warning, a failure with --strict.
  {
    mutant: "forget-voted-for",
    test: "TestInitialElection3A",
    seeds: 2,
    invariant: "Persist Before Reply",
    strict: true,
    message: /S\d would forget its vote on a crash; required from 3C: .*but restarted from what it had persisted it would also vote for peer \d/,
  },
  {
    mutant: "forget-voted-for",
    test: "TestPersist13C",
    seeds: 2,
    invariant: "One Vote Per Term",
    message: /but restarted from what it had persisted it would also vote for peer \d/,
  },
  { mutant: "vote-twice-in-term", test: "TestInitialElection3A", seeds: 2, invariant: "One Vote Per Term" },
  { mutant: "majority-off-by-one", test: "TestReElection3A", seeds: 2, invariant: "Election Safety" },
  { mutant: "keep-voted-for-across-terms", test: "TestReElection3A", seeds: 2, message: /^expected one leader, got none$/ },
  { mutant: "no-timer-reset-on-vote", test: "TestPersist23C", seeds: 3, invariant: "Vote Resets Timer", strict: true },
  { mutant: "apply-out-of-order", test: "TestFailAgree3B", seeds: 2, message: /^apply error: server \d apply out of order \d+$/ },
  { mutant: "serial-append-entries", test: "TestFollowerFailure3B", seeds: 2, message: /^one\(\d+\) failed to reach agreement$/ },
  { mutant: "ignore-reply-term", test: "TestRejoin3B", seeds: 2, invariant: "Term Rule" },
  {
    mutant: "appended-entries-not-persisted",
    test: "TestPersist13C",
    seeds: 2,
    invariant: "Persist Before Reply",
    message: /S\d acknowledged entries up to \d+ in T\d+ to S\d, but its persisted state ends at \d+/,
  },
  {
    mutant: "match-index-counts-replies",
    test: "TestFigure8Unreliable3C",
    seeds: 3,
    invariant: ["Commit Rule", "Leader Completeness", "State Machine Safety", "Log Matching"],
  },
  { mutant: "no-timer-reset-on-append-entries", test: "TestFigure8Unreliable3C", seeds: 2, message: /failed to reach agreement/ },
  {
    mutant: "install-snapshot-not-applied",
    test: "TestSnapshotBasic3D",
    seeds: 2,
    message: /^apply error: server \d apply out of order, expected index \d+, got \d+$/,
  },
  { mutant: "install-snapshot-reply-ignored", test: "TestSnapshotBasic3D", seeds: 2, message: /failed to reach agreement/ },
];

describe("mutants are built outside the product code", () => {
  it("a patch must match its file exactly once, so a refactor that breaks a mutant fails loudly", () => {
    const files = new Map([["core/a.ts", "x = 1;\ny = 1;\n"]]);
    expect(() => applyPatches(files, [{ file: "core/a.ts", find: "z = 1;", replace: "" }], "m")).toThrow(PatchError);
    expect(() => applyPatches(files, [{ file: "core/a.ts", find: " = 1;", replace: "" }], "m")).toThrow(/matches 2 times/);
    applyPatches(files, [{ file: "core/a.ts", find: "y = 1;", replace: "y = 2;" }], "m");
    expect(files.get("core/a.ts")).toBe("x = 1;\ny = 2;\n");
  });

  it("the catalogue holds at least 20 mutants across 3A-3D, each with a distinct name", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length);
    expect(new Set(MUTANTS.map((m) => m.part))).toEqual(new Set(["3A", "3B", "3C", "3D"]));
  });
});

describe("the suite catches each deliberately broken Raft", () => {
  it("every catch names a mutant of the catalogue", () => {
    const names = new Set(MUTANTS.map((m) => m.name));
    for (const c of LAB_CATCHES) expect(names.has(c.mutant), c.mutant).toBe(true);
  });

  for (const c of LAB_CATCHES) {
    const what = c.invariant !== undefined ? [c.invariant].flat().join(" / ") : String(c.message);
    it(`${c.mutant}: ${c.test} within ${c.seeds} seeds (${what})${c.strict === true ? " with --strict" : ""}`, async () => {
      const r = await firstFailure(c.test, await loadMutant(c.mutant), c.seeds, c.strict === true);
      expect(r, `${c.mutant} passed ${c.test} at seeds 1..${c.seeds}`).not.toBeNull();
      if (c.invariant !== undefined) expect([c.invariant].flat()).toContain(r?.failure?.invariant);
      if (c.message !== undefined) expect(r?.failure?.message).toMatch(c.message);
    });
  }
});
