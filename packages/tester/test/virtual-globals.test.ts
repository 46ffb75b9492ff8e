// Issue 11 §6: a Raft that calls setTimeout, setInterval, Date.now, performance.now or Math.random
// directly runs on the simulator's virtual versions (src/sim/virtual-globals.ts), so its runs replay from
// the seed; a Raft that uses its Runtime runs exactly as before. Two fixtures: the same minimal 3A Raft
// on the globals (fixtures/global-timers.mjs) and on the runtime (fixtures/runtime-timers.mjs).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as timersSetTimeout } from "node:timers";
import { setInterval as intervalP, setTimeout as sleepP } from "node:timers/promises";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { createPrng, formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { loadImpl, runTest, type RunResult } from "../src/runner.js";
import { PeerRuntime } from "../src/sim/runtime.js";
import { Simulator } from "../src/sim/simulator.js";
import { VIRTUAL_EPOCH_MS, virtualGlobals } from "../src/sim/virtual-globals.js";
import { HEARTBEAT_MS, TICK_MS, ELECTION_MIN_MS, ELECTION_SPREAD_MS } from "./fixtures/global-timers.mjs";

const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");

async function traced(test: string, seed: number, impl: MakeRaft): Promise<{ text: string; events: TraceEvent[]; result: RunResult }> {
  const events: TraceEvent[] = [];
  const result = await runTest(test, { seed, impl, trace: (e) => events.push(e) });
  return { text: events.map(formatTraceEvent).join("\n"), events, result };
}

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

/** The real globals, as this test file saw them before any run. */
const REAL = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  Date: globalThis.Date,
  dateNow: Date.now,
  random: Math.random,
  perfNow: performance.now,
  hrtime: process.hrtime,
  timersSetTimeout,
  sleepP,
};

function expectRealGlobals(): void {
  expect(globalThis.setTimeout).toBe(REAL.setTimeout);
  expect(globalThis.clearTimeout).toBe(REAL.clearTimeout);
  expect(globalThis.setInterval).toBe(REAL.setInterval);
  expect(globalThis.setImmediate).toBe(REAL.setImmediate);
  expect(globalThis.Date).toBe(REAL.Date);
  expect(Date.now).toBe(REAL.dateNow);
  expect(Math.random).toBe(REAL.random);
  expect(performance.now).toBe(REAL.perfNow);
  expect(process.hrtime).toBe(REAL.hrtime);
  expect(Object.prototype.hasOwnProperty.call(performance, "now")).toBe(false);
  expect(timersSetTimeout).toBe(REAL.timersSetTimeout);
  expect(sleepP).toBe(REAL.sleepP);
}

describe("a Raft on setTimeout/setInterval/Date.now/Math.random (fixtures/global-timers.mjs)", () => {
  it("passes the 3A tests, and the same (test, seed) gives a byte-identical trace twice; another seed differs", async () => {
    const impl = await loadImpl(fixture("global-timers.mjs"));
    const a = await traced("TestInitialElection3A", 3, impl);
    const b = await traced("TestInitialElection3A", 3, impl);
    expect(a.result.ok).toBe(true);
    expect(a.events.length).toBeGreaterThan(100);
    expect(b.text === a.text).toBe(true);
    expect(b.result.virtualMs).toBe(a.result.virtualMs);
    const c = await traced("TestInitialElection3A", 4, impl);
    expect(c.result.ok).toBe(true);
    expect(c.text === a.text).toBe(false);
    for (const test of ["TestReElection3A", "TestManyElections3A"]) {
      const r = await runTest(test, { seed: 3, impl });
      expect(r.ok, `${test}: ${r.failure?.message ?? ""}`).toBe(true);
    }
    expectRealGlobals();
  });

  it("its timers fire at virtual times: the election on a 10 ms tick, heartbeats exactly 100 virtual ms apart", async () => {
    const impl = await loadImpl(fixture("global-timers.mjs"));
    const { events, result } = await traced("TestInitialElection3A", 3, impl);
    // A multi-second test in virtual time (the lab's sleeps add up to about 3 s).
    expect(result.virtualMs).toBeGreaterThan(2_500);
    // The first vote request goes out when a tick (every TICK_MS from 0) finds the deadline passed.
    const firstVote = events.find((e) => e.op === "RequestVote" && e["dir"] === "send");
    expect(firstVote).toBeDefined();
    const tElect = firstVote?.t ?? -1;
    expect(tElect % TICK_MS).toBe(0);
    expect(tElect).toBeGreaterThanOrEqual(ELECTION_MIN_MS);
    expect(tElect).toBeLessThanOrEqual(ELECTION_MIN_MS + ELECTION_SPREAD_MS + TICK_MS);
    // The leader's heartbeats: one burst per setInterval period, each burst one send per follower.
    const sends = events.filter((e) => e.op === "AppendEntries" && e["dir"] === "send");
    const leaders = new Set(sends.map((e) => e.src));
    expect(leaders.size).toBe(1);
    const times = [...new Set(sends.map((e) => e.t))];
    expect(times.length).toBeGreaterThan(20);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(HEARTBEAT_MS);
    for (const t of times) expect(sends.filter((e) => e.t === t)).toHaveLength(2);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBe((times.length - 1) * HEARTBEAT_MS);
  });

  it("the CLI writes the same trace file twice for --impl global-timers.mjs --seed 3", () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
    const dir = mkdtempSync(join(tmpdir(), "raftlab-vg-"));
    const files = [join(dir, "a.jsonl"), join(dir, "b.jsonl")];
    for (const file of files) {
      const r = spawnSync(process.execPath, [cli, "run", "TestInitialElection3A", "--seed", "3", "--impl", fixture("global-timers.mjs"), "--trace", file], {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout + r.stderr).toContain("1 passed, 0 failed");
    }
    const [a, b] = files.map((f) => readFileSync(f, "utf8"));
    expect((a ?? "").split("\n").length).toBeGreaterThan(100);
    expect(b === a).toBe(true);
  });
});

describe("a Raft on its Runtime (fixtures/runtime-timers.mjs) runs as before", () => {
  // sha256 of the trace text (events joined by newlines) recorded with the tester before
  // virtual-globals.ts existed: the same runs, byte for byte.
  const PINNED: readonly [string, number, number, string][] = [
    ["TestInitialElection3A", 1, 230, "ba9a8133c87449dd8bd4887b1ef5cb46cf867711338a4e16f22567eaf423ab68"],
    ["TestManyElections3A", 7, 1382, "5545a6273e744379feef111ce6273ae2bb5e7c03efb907501da8e7495882c9a4"],
  ];
  for (const [test, seed, lines, digest] of PINNED) {
    it(`${test} seed ${seed}: the trace recorded before the change`, async () => {
      const impl = await loadImpl(fixture("runtime-timers.mjs"));
      const { text, events, result } = await traced(test, seed, impl);
      expect(result.ok).toBe(true);
      expect(events).toHaveLength(lines);
      expect(sha(`${text}\n`)).toBe(digest);
    });
  }

  it("calls to Math.random and Date.now beside it shift none of the tester's own streams", async () => {
    const impl = await loadImpl(fixture("runtime-timers.mjs"));
    const noisy: MakeRaft = (...args) => {
      for (let i = 0; i < 1000; i++) Math.random();
      Date.now();
      performance.now();
      return impl(...args);
    };
    const plain = await traced("TestManyElections3A", 7, impl);
    const withNoise = await traced("TestManyElections3A", 7, noisy);
    expect(withNoise.text === plain.text).toBe(true);
  });
});

describe("calls that are not virtualized", () => {
  it("each counts as one warning kind of the run, naming the call (printed once, counted per call)", async () => {
    const impl = await loadImpl(fixture("runtime-timers.mjs"));
    const uuids: MakeRaft = (...args) => {
      crypto.randomUUID();
      return impl(...args);
    };
    const lines: string[] = [];
    const r = await runTest("TestInitialElection3A", { seed: 2, impl: uuids, output: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      { kind: "Unvirtualized crypto.randomUUID", count: expect.any(Number), message: expect.stringContaining("crypto.randomUUID() is not virtualized") },
    ]);
    // One call per make(): the three servers, plus the restarted copies of the vote probes.
    expect(r.warnings?.[0]?.count).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.startsWith("warning: "))).toHaveLength(1);
    expect(typeof crypto.randomUUID()).toBe("string");
    expectRealGlobals();
  });
});

describe("virtualGlobals on a bare simulator", () => {
  function setup(): { sim: Simulator; log: string[]; g: ReturnType<typeof virtualGlobals>; warnings: string[] } {
    const sim = new Simulator({ prng: createPrng(1), limitMs: 10_000, maxEvents: 1_000_000 });
    const warnings: string[] = [];
    const g = virtualGlobals({ sim, prng: createPrng(2), warn: (kind) => warnings.push(kind) });
    sim.onError = (err) => {
      throw err;
    };
    return { sim, log: [], g, warnings };
  }

  it("timers, intervals, immediates, clocks and awaited sleeps follow virtual time; restore puts the real ones back", async () => {
    const { sim, log, g } = setup();
    g.install();
    try {
      setTimeout(() => log.push(`timeout ${performance.now()} ${Date.now() - VIRTUAL_EPOCH_MS} ${new Date().getTime() - VIRTUAL_EPOCH_MS}`), 250);
      setTimeout((x: string) => log.push(`zero ${sim.now} ${x}`), 0, "arg");
      const iv = setInterval(() => {
        log.push(`tick ${sim.now}`);
        if (sim.now >= 300) clearInterval(iv);
      }, 100);
      const dropped = setTimeout(() => log.push("never"), 50);
      clearTimeout(Number(dropped)); // the handle's number works too
      setImmediate(() => log.push(`immediate ${sim.now}`));
      void (async () => {
        await new Promise((r) => setTimeout(r, 1000));
        log.push(`slept ${sim.now} ${JSON.stringify(process.hrtime())} ${process.hrtime.bigint()}`);
        sim.stop();
      })();
      expect(Math.random()).toBe(createPrng(2).next());
      expect(typeof Date()).toBe("string");
      expect(new Date(0).getTime()).toBe(0);
      expect(new Date() instanceof REAL.Date).toBe(true);
      await sim.run();
    } finally {
      g.restore();
    }
    expectRealGlobals();
    expect(log).toEqual(["immediate 0", "zero 1 arg", "tick 100", "tick 200", "timeout 250 250 250", "tick 300", "slept 1000 [1,0] 1000000000"]);
  });

  it("node:timers and node:timers/promises, imported by name, are virtual during the run too", async () => {
    const { sim, log, g } = setup();
    g.install();
    try {
      timersSetTimeout(() => log.push(`node:timers ${sim.now}`), 50);
      void (async () => {
        log.push(`sleepP ${await sleepP(300, "v")} ${sim.now}`);
        await promisify(setTimeout)(70);
        log.push(`promisify ${sim.now}`);
        const ac = new AbortController();
        const aborted = sleepP(1000, "x", { signal: ac.signal }).catch((e: Error) => `${e.name} ${sim.now}`);
        await sleepP(10);
        ac.abort();
        log.push(await aborted);
        let n = 0;
        for await (const v of intervalP(100, "beat")) {
          log.push(`${v} ${sim.now}`);
          if (++n === 2) break;
        }
        sim.stop();
      })();
      await sim.run();
    } finally {
      g.restore();
    }
    expectRealGlobals();
    expect(log).toEqual(["node:timers 50", "sleepP v 300", "promisify 370", "AbortError 380", "beat 480", "beat 580"]);
  });

  it("a timer dies with the incarnation that made it; a restart probe's copy gets timers that never fire", async () => {
    const { sim, log, g } = setup();
    const rt = new PeerRuntime(sim, createPrng(3), null, 0);
    const make = g.wrapMake(((_p: unknown, me: number, _s: unknown, _a: unknown, runtime: unknown) => {
      setInterval(() => log.push(`S${me} ${sim.now} ${runtime === rt ? "real" : "copy"}`), 100);
      return {} as never;
    }) as unknown as MakeRaft);
    g.install();
    try {
      make([], 0, null as never, () => {}, rt);
      make([], 0, null as never, () => {}, { now: () => 0, setTimer: () => () => {}, random: () => 0, trace: null });
      sim.schedule(250, () => {
        rt.killed = true;
      });
      await sim.run();
    } finally {
      g.restore();
    }
    expect(log).toEqual(["S0 100 real", "S0 200 real"]);
  });

  it("a callback that throws reaches the simulator's onError, and a foreign handle goes to the real clearTimeout", async () => {
    const { sim, g } = setup();
    const errors: unknown[] = [];
    sim.onError = (err) => errors.push(err);
    let realFired = false;
    const real = setTimeout(() => (realFired = true), 5);
    g.install();
    try {
      clearTimeout(real);
      setTimeout(() => {
        throw new Error("boom");
      }, 10);
      expect(() => setTimeout("not a function" as never, 1)).toThrow(TypeError);
      await sim.run();
    } finally {
      g.restore();
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(realFired).toBe(false);
    expect(errors.map((e) => (e as Error).message)).toEqual(["boom"]);
  });
});
