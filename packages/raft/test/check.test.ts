// The vote/timer-reset conformance check catches the "no-timer-reset-on-vote" bug and stays silent on
// the correct Raft.
import { describe, expect, it } from "vitest";
import { Cluster, createPrng, DEFAULT_TIMING, makeRaft, VirtualClock, VoteTimerResetCheck, type TimerResetViolation } from "../src/index.js";

async function violations(bugged: boolean, seed: number): Promise<TimerResetViolation[]> {
  const check = new VoteTimerResetCheck(DEFAULT_TIMING.electionTimeoutMinMs);
  const found: TimerResetViolation[] = [];
  const clock = new VirtualClock();
  const c = new Cluster({
    n: 5,
    clock,
    seed,
    dropRate: 0.1,
    maxDelayMs: 26,
    make: makeRaft(bugged ? { bugs: ["no-timer-reset-on-vote"] } : {}),
    trace: (e) => {
      const v = check.observe(e);
      if (v !== null) found.push(v);
    },
  });
  const rng = createPrng(seed);
  for (let round = 0; round < 20; round++) {
    const who = rng.int(5);
    c.disconnect(who);
    await clock.runFor(400 + rng.int(600));
    c.connect(who);
    await clock.runFor(200);
  }
  c.shutdown();
  return found;
}

describe("VoteTimerResetCheck (Figure 2, followers: granting a vote resets the election timer)", () => {
  it("flags the no-timer-reset-on-vote bug within a few seeds, and never the correct Raft", async () => {
    let caught = 0;
    for (let seed = 1; seed <= 5; seed++) {
      expect(await violations(false, seed)).toEqual([]);
      const v = await violations(true, seed);
      if (v.length > 0) {
        caught++;
        expect(v[0]?.message).toMatch(/granting a vote did not reset the election timer/);
      }
    }
    expect(caught).toBeGreaterThan(0);
  });
});
