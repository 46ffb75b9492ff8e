// Deliberately broken Rafts (test/fixtures/, one RaftBug each) and the lab tests that catch them: each
// fails within a small number of seeds, for the reason the bug implies.

import type { MakeRaft } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest, type RunResult } from "../src/runner.js";
import { make as applyOutOfOrder } from "./fixtures/apply-out-of-order.js";
import { make as commitPreviousTerm } from "./fixtures/commit-previous-term-by-count.js";
import { make as forgetVotedFor } from "./fixtures/forget-voted-for.js";
import { make as ignoreReplyTerm } from "./fixtures/ignore-reply-term.js";
import { make as noTimerResetOnVote } from "./fixtures/no-timer-reset-on-vote.js";
import { make as serialAppendEntries } from "./fixtures/serial-append-entries.js";
import { make as voteWithoutUpToDate } from "./fixtures/vote-without-up-to-date-check.js";

/** Runs seeds 1, 2, … until the test fails; returns that run (or null after `maxSeeds`). */
async function firstFailure(test: string, impl: MakeRaft, maxSeeds: number): Promise<RunResult | null> {
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const r = await runTest(test, { seed, impl });
    if (!r.ok) return r;
  }
  return null;
}

describe("the suite catches each deliberately broken Raft", () => {
  it("vote-without-up-to-date-check: a leader missing committed entries (Leader Completeness), TestPersist23C", async () => {
    const r = await firstFailure("TestPersist23C", voteWithoutUpToDate, 3);
    expect(r?.failure?.kind).toBe("violation");
    expect(r?.failure?.invariant).toBe("Leader Completeness");
  });

  it("commit-previous-term-by-count: an overwritten commit (Figure 8), TestFigure8Unreliable3C", async () => {
    const r = await firstFailure("TestFigure8Unreliable3C", commitPreviousTerm, 5);
    expect(r?.failure?.kind).toBe("violation");
    expect(["Leader Completeness", "State Machine Safety", "Log Matching"]).toContain(r?.failure?.invariant);
  });

  it("forget-voted-for: a restarted copy of a voter would vote again in the same term (One Vote Per Term), TestInitialElection3A", async () => {
    const r = await firstFailure("TestInitialElection3A", forgetVotedFor, 2);
    expect(r?.failure?.invariant).toBe("One Vote Per Term");
    expect(r?.failure?.message).toMatch(/but restarted from what it had persisted it would also vote for peer \d/);
  });

  it("apply-out-of-order: the applier's 'apply out of order', TestFailAgree3B", async () => {
    const r = await firstFailure("TestFailAgree3B", applyOutOfOrder, 2);
    expect(r?.failure?.message).toMatch(/^apply error: server \d apply out of order \d+$/);
  });

  it("serial-append-entries: a leader blocked on an unreachable follower fails to agree, TestFollowerFailure3B", async () => {
    const r = await firstFailure("TestFollowerFailure3B", serialAppendEntries, 2);
    expect(r?.failure?.message).toMatch(/^one\(\d+\) failed to reach agreement$/);
  });

  it("ignore-reply-term: a deposed leader keeps sending in its old term (Term Rule), TestRejoin3B", async () => {
    const r = await firstFailure("TestRejoin3B", ignoreReplyTerm, 2);
    expect(r?.failure?.invariant).toBe("Term Rule");
  });

  it("no-timer-reset-on-vote: a voter starts its own election right after voting (Vote Resets Timer), TestPersist23C", async () => {
    // Only split votes and lost heartbeats expose it: with labrpc's zero-latency delivery a winner's
    // first heartbeat reaches its voters at once. The lab's own checks never fail on it.
    const r = await firstFailure("TestPersist23C", noTimerResetOnVote, 3);
    expect(r?.failure?.invariant).toBe("Vote Resets Timer");
  });
});
