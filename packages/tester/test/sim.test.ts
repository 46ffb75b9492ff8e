// The discrete-event simulator: virtual time, seeded same-instant order, microtask draining, limits.

import { describe, expect, it } from "vitest";
import { makeSim, runOn } from "./helpers.js";

describe("Simulator", () => {
  it("runs events in time order and jumps the clock to each", async () => {
    const sim = makeSim();
    const seen: number[] = [];
    for (const t of [300, 10, 200, 0, 50]) sim.schedule(t, () => seen.push(sim.now));
    expect(await sim.run()).toBe("idle");
    expect(seen).toEqual([0, 10, 50, 200, 300]);
  });

  it("orders same-instant events by a seeded draw: same seed same order, other seeds other orders", async () => {
    const order = async (seed: number): Promise<string> => {
      const sim = makeSim(seed);
      const seen: number[] = [];
      for (let i = 0; i < 12; i++) sim.schedule(5, () => seen.push(i));
      await sim.run();
      return seen.join(",");
    };
    expect(await order(1)).toBe(await order(1));
    const orders = new Set<string>();
    for (let s = 1; s <= 8; s++) orders.add(await order(s));
    expect(orders.size).toBeGreaterThan(6);
  });

  it("cancelled events do not run", async () => {
    const sim = makeSim();
    let ran = false;
    const ev = sim.schedule(10, () => (ran = true));
    ev.cancelled = true;
    await sim.run();
    expect(ran).toBe(false);
  });

  it("a coroutine's continuation runs at the virtual instant that woke it, before any later event", async () => {
    const sim = makeSim();
    const log: string[] = [];
    // A deep chain of awaits: every level must settle before the event at t=101 runs.
    const deep = async (n: number): Promise<number> => (n === 0 ? sim.now : await deep(n - 1));
    sim.schedule(101, () => log.push(`event@${sim.now}`));
    await runOn(sim, async () => {
      await sim.sleep(100);
      log.push(`woke@${sim.now}`);
      log.push(`deep@${await deep(20)}`);
      await sim.sleep(50);
      log.push(`woke@${sim.now}`);
    });
    expect(log).toEqual(["woke@100", "deep@100", "event@101", "woke@150"]);
  });

  it("stops before an event past the limit, and after the event budget", async () => {
    const sim = makeSim(1, 1000);
    sim.schedule(999, () => {});
    sim.schedule(1001, () => {});
    expect(await sim.run()).toBe("limit");
    expect(sim.now).toBe(999);
    const { Simulator } = await import("../src/sim/simulator.js");
    const { createPrng } = await import("@raftlab/raft");
    const busy = new Simulator({ prng: createPrng(1), limitMs: 1e9, maxEvents: 100 });
    const loop = (): void => void busy.schedule(0, loop); // A Raft that loops in zero virtual time.
    loop();
    expect(await busy.run()).toBe("events");
    expect(busy.eventsRun).toBe(100);
  });

  it("after stop(), nothing runs and sleeps never resolve", async () => {
    const sim = makeSim();
    let after = false;
    sim.schedule(10, () => sim.stop());
    sim.schedule(20, () => (after = true));
    expect(await sim.run()).toBe("stopped");
    expect(after).toBe(false);
    let resolved = false;
    void sim.sleep(1).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(resolved).toBe(false);
  });

  it("pacing waits on the wall clock but gives the same run", async () => {
    const trace = async (pace?: number): Promise<{ log: string; wall: number }> => {
      const sim = makeSim(7, 1e9, pace);
      const log: string[] = [];
      for (let i = 0; i < 20; i++) sim.schedule((i * 37) % 200, () => log.push(`${i}@${sim.now}`));
      const t0 = performance.now();
      await runOn(sim, async () => {
        for (let k = 0; k < 10; k++) {
          await sim.sleep(20);
          log.push(`c@${sim.now}`);
        }
      });
      return { log: log.join(" "), wall: performance.now() - t0 };
    };
    const fast = await trace();
    const paced = await trace(10); // 200 virtual ms at 10x: about 20 ms of wall time.
    expect(paced.log).toBe(fast.log);
    expect(paced.wall).toBeGreaterThanOrEqual(12);
  });
});

describe("Simulator bounds", () => {
  it("fails a run that keeps more than MAX_PENDING_EVENTS pending, instead of exhausting memory", async () => {
    const { MAX_PENDING_EVENTS } = await import("../src/sim/simulator.js");
    const sim = makeSim();
    const errors: string[] = [];
    sim.onError = (e) => void errors.push((e as Error).name);
    for (let i = 0; i <= MAX_PENDING_EVENTS; i++) sim.schedule(1, () => {});
    expect(errors).toEqual(["TooManyEventsError"]);
    expect(sim.stopped).toBe(true);
  });
});
