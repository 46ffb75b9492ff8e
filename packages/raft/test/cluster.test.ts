// The in-process 3-peer cluster through the lab-style API (make/start/getState/kill/snapshot), on a
// virtual clock so it runs in milliseconds.
import { describe, expect, it } from "vitest";
import { Cluster, VirtualClock, type TraceEvent } from "../src/index.js";

async function electLeader(c: Cluster, clock: VirtualClock): Promise<number> {
  const ok = await clock.runUntil(() => c.leader() !== null, 5_000);
  expect(ok, "a leader within 5 s").toBe(true);
  return c.leader() as number;
}

async function agree(c: Cluster, clock: VirtualClock, cmd: string, expected: number): Promise<number> {
  let index = -1;
  const ok = await clock.runUntil(() => {
    if (index < 0) index = c.start(cmd);
    return index > 0 && c.nCommitted(index).count >= expected;
  }, 10_000);
  expect(ok, `agreement on ${cmd}`).toBe(true);
  expect(c.nCommitted(index).value).toBe(cmd);
  return index;
}

describe("in-process 3-peer cluster (lab-style API)", () => {
  it("elects a leader, agrees on commands, and a crashed and restarted peer catches up", async () => {
    const clock = new VirtualClock();
    const c = new Cluster({ n: 3, clock, seed: 7 });
    const leader = await electLeader(c, clock);
    for (let k = 1; k <= 5; k++) expect(await agree(c, clock, `cmd${k}`, 3)).toBe(k);
    const victim = (leader + 1) % 3;
    c.crash(victim);
    for (let k = 6; k <= 10; k++) await agree(c, clock, `cmd${k}`, 2);
    c.restart(victim);
    const ok = await clock.runUntil(() => c.lastApplied(victim) >= 10, 5_000);
    expect(ok, "restarted peer catches up").toBe(true);
    await agree(c, clock, "cmd11", 3);
    expect(c.errors).toEqual([]);
    c.shutdown();
  });

  it("a new leader is elected after the leader is disconnected, and the old one rejoins as follower", async () => {
    const clock = new VirtualClock();
    const c = new Cluster({ n: 3, clock, seed: 3 });
    const l1 = await electLeader(c, clock);
    await agree(c, clock, "a", 3);
    c.disconnect(l1);
    const ok = await clock.runUntil(() => c.leader() !== null && c.leader() !== l1, 5_000);
    expect(ok).toBe(true);
    await agree(c, clock, "b", 2);
    c.connect(l1);
    await agree(c, clock, "c", 3);
    expect(c.raft(l1)?.getState().isLeader).toBe(false);
    expect(c.errors).toEqual([]);
    c.shutdown();
  });

  it("§7: with snapshots every 10 entries the state stays small, and a lagging peer is caught up by InstallSnapshot", async () => {
    const clock = new VirtualClock();
    const events: TraceEvent[] = [];
    const c = new Cluster({ n: 3, clock, seed: 11, snapshotEvery: 10, trace: (e) => events.push(e) });
    const leader = await electLeader(c, clock);
    const victim = (leader + 1) % 3;
    c.disconnect(victim);
    for (let k = 1; k <= 35; k++) await agree(c, clock, `x${k}`, 2);
    for (let i = 0; i < 3; i++) expect(c.persistBytes(i)).toBeLessThan(2000);
    c.connect(victim);
    const ok = await clock.runUntil(() => c.lastApplied(victim) >= 35, 5_000);
    expect(ok).toBe(true);
    expect(events.some((e) => e.op === "InstallSnapshot" && e.dir === "recv" && e.src === victim)).toBe(true);
    c.crash(leader);
    c.restart(leader);
    await agree(c, clock, "after-restart", 3);
    expect(c.errors).toEqual([]);
    c.shutdown();
  });

  it("determinism: the same seed gives a byte-identical trace through the driver; another seed gives another", async () => {
    async function run(seed: number): Promise<string> {
      const clock = new VirtualClock();
      const lines: string[] = [];
      const c = new Cluster({ n: 3, clock, seed, snapshotEvery: 5, dropRate: 0.1, trace: (e) => lines.push(JSON.stringify(e)) });
      await electLeader(c, clock);
      for (let k = 1; k <= 8; k++) c.start(`v${k}`);
      await clock.runFor(1_000);
      c.restart(((c.leader() ?? 0) + 1) % 3);
      await clock.runFor(1_000);
      c.shutdown();
      return lines.join("\n");
    }
    const a = await run(21);
    expect(a.length).toBeGreaterThan(1_000);
    expect(await run(21)).toBe(a);
    expect(await run(22)).not.toBe(a);
  });
});
