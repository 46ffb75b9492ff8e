// The labrpc fault model, rule by rule, measured statistically over thousands of seeded calls
// (reference §2; labrpc.go): delays, request and reply loss, unreachable servers, long reordering,
// counters, copying, and dead servers.

import { createPrng, encodedSize, type Value } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { Network } from "../src/net/network.js";
import { SimPersister } from "../src/net/persister.js";
import { fakePeer, makeSim, mean, runOn } from "./helpers.js";

const alive = { killed: false };

interface Outcome {
  readonly sentAt: number;
  readonly handledAt: number | null;
  readonly doneAt: number;
  readonly reply: Value | null;
}

/** Sends `n` calls 0 -> 1, spaced 1 ms apart, and records what happens to each. */
async function measure(n: number, setup: (net: Network) => void, seed = 11): Promise<{ outcomes: Outcome[]; net: Network }> {
  const sim = makeSim(seed);
  const net = new Network(sim, createPrng(seed + 1000), 2, null);
  const handled = new Map<number, number>();
  net.addServer(
    1,
    fakePeer((_m, args) => {
      handled.set((args as { k: number }).k, sim.now);
      return { k: (args as { k: number }).k, echo: "reply" };
    }),
  );
  const end = net.makeEnd(0, 1, alive);
  end.enabled = true;
  setup(net);
  const outcomes: Outcome[] = [];
  await runOn(sim, async () => {
    const calls: Promise<void>[] = [];
    for (let k = 0; k < n; k++) {
      const sentAt = sim.now;
      calls.push(end.call("Svc.Echo", { k }).then((reply) => void outcomes.push({ sentAt, handledAt: handled.get(k) ?? null, doneAt: sim.now, reply })));
      await sim.sleep(1);
    }
    await Promise.all(calls);
  });
  return { outcomes, net };
}

describe("Network: reliable mode", () => {
  it("delivers every request and reply, with no delay, and counts RPCs, bytes and dispatches", async () => {
    const { outcomes, net } = await measure(200, () => {});
    expect(outcomes.every((o) => o.reply !== null && o.handledAt === o.sentAt && o.doneAt === o.sentAt)).toBe(true);
    expect(net.totalRpcs).toBe(200);
    expect(net.getCount(1)).toBe(200);
    let bytes = 0;
    for (let k = 0; k < 200; k++) bytes += encodedSize({ k }) + encodedSize({ k, echo: "reply" });
    expect(net.totalBytes).toBe(bytes);
  });

  it("copies arguments and replies: neither side sees the other's objects", async () => {
    const sim = makeSim();
    const net = new Network(sim, createPrng(2), 2, null);
    const kept: Value[] = [];
    const reply = { list: [1, 2] };
    net.addServer(
      1,
      fakePeer((_m, args) => {
        kept.push(args);
        (args as { list: number[] }).list.push(99);
        return reply;
      }),
    );
    const end = net.makeEnd(0, 1, alive);
    end.enabled = true;
    const args = { list: [1] };
    let got: Value | null = null;
    await runOn(sim, async () => {
      got = await end.call("Svc.M", args);
    });
    expect(args.list).toEqual([1]);
    expect(kept[0]).not.toBe(args);
    expect(got).toEqual({ list: [1, 2] });
    expect(got).not.toBe(reply);
  });
});

describe("Network: unreliable mode", () => {
  it("delays requests U{0..26} ms, drops 10% of requests before the handler and 10% of replies after it", async () => {
    const n = 6000;
    const { outcomes, net } = await measure(n, (net) => (net.reliable = false));
    const handled = outcomes.filter((o) => o.handledAt !== null);
    const delivered = outcomes.filter((o) => o.reply !== null);
    const requestLoss = 1 - handled.length / n;
    const replyLoss = 1 - delivered.length / handled.length;
    expect(requestLoss).toBeGreaterThan(0.085);
    expect(requestLoss).toBeLessThan(0.115);
    expect(replyLoss).toBeGreaterThan(0.085);
    expect(replyLoss).toBeLessThan(0.115);
    const delays = handled.map((o) => (o.handledAt as number) - o.sentAt);
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(26);
    expect(mean(delays)).toBeGreaterThan(12);
    expect(mean(delays)).toBeLessThan(14);
    // A dropped request fails right after its delay; nothing is held.
    expect(outcomes.every((o) => o.doneAt - o.sentAt <= 26)).toBe(true);
    // Dispatch counts exclude dropped requests; RPC counts include them.
    expect(net.getCount(1)).toBe(handled.length);
    expect(net.totalRpcs).toBe(n);
  });
});

describe("Network: unreachable servers", () => {
  it("a disabled end fails every call after U[0,7000) ms (long delays) without running the handler", async () => {
    const sim = makeSim(5);
    const net = new Network(sim, createPrng(6), 2, null);
    let handled = 0;
    net.addServer(
      1,
      fakePeer(() => (handled++, 1)),
    );
    const end = net.makeEnd(0, 1, alive); // Never enabled: like a disconnected server.
    const outcomes: Outcome[] = [];
    await runOn(sim, async () => {
      const calls: Promise<void>[] = [];
      for (let k = 0; k < 3000; k++) {
        const sentAt = sim.now;
        calls.push(end.call("Svc.M", k).then((reply) => void outcomes.push({ sentAt, handledAt: null, doneAt: sim.now, reply })));
      }
      await Promise.all(calls);
    });
    expect(handled).toBe(0);
    expect(outcomes.every((o) => o.reply === null)).toBe(true);
    const waits = outcomes.map((o) => o.doneAt - o.sentAt);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThan(7000);
    expect(Math.max(...waits)).toBeGreaterThan(6900);
    expect(mean(waits)).toBeGreaterThan(3350);
    expect(mean(waits)).toBeLessThan(3650);
    expect(net.totalRpcs).toBe(3000);
    expect(net.getCount(1)).toBe(0);
  });

  it("without long delays, unreachable calls fail within U[0,100) ms", async () => {
    const sim = makeSim(3);
    const net = new Network(sim, createPrng(4), 2, null);
    net.longDelays = false;
    const end = net.makeEnd(0, 1, alive);
    end.enabled = true; // Enabled, but no server is registered: a dead server.
    const waits: number[] = [];
    await runOn(sim, async () => {
      await Promise.all(Array.from({ length: 500 }, (_, k) => end.call("Svc.M", k).then(() => void waits.push(sim.now))));
    });
    expect(Math.max(...waits)).toBeLessThan(100);
    expect(mean(waits)).toBeGreaterThan(40);
  });

  it("a server deleted during an asynchronous handler never answers: the call fails within 100 ms", async () => {
    const sim = makeSim(8);
    const net = new Network(sim, createPrng(9), 2, null);
    net.addServer(
      1,
      fakePeer(() => new Promise<Value>(() => {})),
    ); // A handler that never returns.
    const end = net.makeEnd(0, 1, alive);
    end.enabled = true;
    let result: Value | null | "pending" = "pending";
    let at = -1;
    sim.schedule(1000, () => net.deleteServer(1));
    await runOn(sim, async () => {
      result = await end.call("Svc.M", 1);
      at = sim.now;
    });
    expect(result).toBeNull();
    expect(at).toBeGreaterThanOrEqual(1000);
    expect(at).toBeLessThanOrEqual(1100);
  });

  it("a reply is lost if the end is disabled while the handler runs (the handler did run)", async () => {
    const sim = makeSim(8);
    const net = new Network(sim, createPrng(9), 2, null);
    let ran = false;
    net.addServer(
      1,
      fakePeer(async () => {
        ran = true;
        await sim.sleep(50);
        return 7;
      }),
    );
    const end = net.makeEnd(0, 1, alive);
    end.enabled = true;
    sim.schedule(10, () => (end.enabled = false));
    let result: Value | null = 0;
    await runOn(sim, async () => {
      result = await end.call("Svc.M", 1);
    });
    expect(ran).toBe(true);
    expect(result).toBeNull();
  });
});

describe("Network: long reordering", () => {
  it("holds 2/3 of replies for 200..2199 ms, skewed short (200 + Intn(1 + Intn(2000)))", async () => {
    const n = 6000;
    const { outcomes } = await measure(n, (net) => (net.longReordering = true), 21);
    const held = outcomes.filter((o) => o.doneAt > o.sentAt).map((o) => o.doneAt - o.sentAt);
    expect(held.length / n).toBeGreaterThan(0.64);
    expect(held.length / n).toBeLessThan(0.69);
    expect(Math.min(...held)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...held)).toBeLessThanOrEqual(2199);
    // E[200 + U(1 + U(2000))] = 200 + about 500; the median is well below the midpoint of the range.
    expect(mean(held)).toBeGreaterThan(650);
    expect(mean(held)).toBeLessThan(750);
    const sorted = [...held].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)] as number).toBeLessThan(700);
  });
});

describe("Persister", () => {
  it("saves atomically, reads copies, and a copy is independent of later saves", () => {
    const p = new SimPersister();
    const state = new Uint8Array([1, 2, 3]);
    p.save(state, new Uint8Array([9]));
    state[0] = 42;
    expect([...p.readRaftState()]).toEqual([1, 2, 3]);
    const read = p.readRaftState();
    read[0] = 7;
    expect([...p.readRaftState()]).toEqual([1, 2, 3]);
    const copy = p.copy();
    p.save(new Uint8Array([5]), null);
    expect([...copy.readRaftState()]).toEqual([1, 2, 3]);
    expect(copy.snapshotSize()).toBe(1);
    expect(p.raftStateSize()).toBe(1);
    expect(p.snapshotSize()).toBe(0);
  });
});
