// The shared run loop (runs/loop.ts) with a scripted run kind: each run's verdict is given by the test,
// and runs wait on promises the test settles, so the slot interleaving is decided here, not by timing.

import { describe, expect, it } from "vitest";
import { makeStyle } from "@raftlab/raft/terminal";
import { RunLoop, type RunKindDriver, type RunVerdict } from "../../src/runs/loop.js";
import { createProgress } from "../../src/runs/progress.js";
import type { RunRecord } from "../../src/runs/record.js";

function record(test: string, seed: number, ok: boolean): RunRecord {
  return {
    test,
    seed,
    ok,
    signature: ok ? null : "boom",
    kind: ok ? null : "error",
    message: ok ? null : "boom",
    invariant: null,
    virtualMs: 1,
    wallMs: 1,
    rpcs: 0,
    bytes: 0,
    cmds: 0,
    peers: 3,
    trace: null,
    log: null,
    traceTruncated: false,
  } as RunRecord;
}

interface Options {
  readonly slots?: number;
  readonly loop?: boolean;
  readonly maxFailures?: number | null;
  readonly maxPassingKept?: number;
  readonly signal?: AbortSignal;
}

function makeLoop(o: Options = {}): { loop: RunLoop<RunRecord>; printed: string[] } {
  const printed: string[] = [];
  const sink = { write: (s: string) => printed.push(s), isTTY: false };
  const progress = createProgress(sink, sink, false, false);
  const loop = new RunLoop<RunRecord>({
    slots: o.slots ?? 2,
    loop: o.loop ?? false,
    maxFailures: o.maxFailures ?? null,
    maxPassingKept: o.maxPassingKept ?? 1000,
    progress,
    style: makeStyle(false),
    tests: ["T"],
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  });
  return { loop, printed };
}

/** A kind whose run `seed` fails when `fails(seed)`; it records which slot ran which seed. */
function scripted(loop: RunLoop<RunRecord>, rounds: number[][], fails: (seed: number) => boolean, hook?: (seed: number) => Promise<void>) {
  const ran: { seed: number; slot: number }[] = [];
  const driver: RunKindDriver<number> = {
    planRound(round) {
      const list = rounds[round];
      // A loop that should have stopped fails the test instead of spinning on empty rounds.
      if (list === undefined) throw new Error(`the loop asked for round ${round + 1}, beyond the script`);
      return list;
    },
    async executeOne(seed, slot): Promise<RunVerdict> {
      ran.push({ seed, slot });
      if (hook !== undefined) await hook(seed);
      if (loop.stopSignal.aborted) return "cancelled";
      const r = record("T", seed, !fails(seed));
      loop.results.add(seed, r);
      return r.ok ? "passed" : "failed";
    },
  };
  return { driver, ran };
}

describe("RunLoop", () => {
  it("runs every run of a round over the slots and tallies them in run-list order", async () => {
    const { loop } = makeLoop({ slots: 3 });
    const { driver, ran } = scripted(loop, [[1, 2, 3, 4, 5]], (s) => s === 4);
    await loop.drive(driver);
    loop.close();
    expect(ran.map((r) => r.seed).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(ran.map((r) => r.slot))).toEqual(new Set([0, 1, 2]));
    expect(loop.results.inListOrder().map((r) => r.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(loop.results.tally.failed).toBe(1);
    expect(loop.notRun).toBe(0);
    expect(loop.stopping).toBe(false);
    expect(loop.exitCode()).toBe(1);
  });

  it("stops at the failure cap: no new run starts, the rest count as not run", async () => {
    const { loop } = makeLoop({ slots: 1, maxFailures: 2 });
    const { driver, ran } = scripted(loop, [[1, 2, 3, 4, 5, 6]], (s) => s % 2 === 0);
    await loop.drive(driver);
    expect(ran.map((r) => r.seed)).toEqual([1, 2, 3, 4]);
    expect(loop.stoppedEarly).toBe(true);
    expect(loop.interrupted).toBe(false);
    expect(loop.failures).toBe(2);
    expect(loop.notRun).toBe(2);
    expect(loop.stopSignal.aborted).toBe(true);
  });

  it("an interrupt cancels the runs in flight and exits 130; the runs finished are kept", async () => {
    const controller = new AbortController();
    const { loop } = makeLoop({ slots: 2, signal: controller.signal });
    const { driver } = scripted(
      loop,
      [[1, 2, 3, 4]],
      () => false,
      async (seed) => {
        if (seed === 3) controller.abort();
      },
    );
    await loop.drive(driver);
    expect(loop.interrupted).toBe(true);
    expect(loop.results.inListOrder().map((r) => r.seed)).toEqual([1, 2]);
    expect(loop.notRun).toBe(2);
    expect(loop.exitCode()).toBe(130);
  });

  it("an already aborted signal runs nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const { loop } = makeLoop({ signal: controller.signal });
    const { driver, ran } = scripted(loop, [[1, 2]], () => false);
    await loop.drive(driver);
    expect(ran).toEqual([]);
    expect(loop.exitCode()).toBe(130);
  });

  it("--loop goes round after round with a line between them, until the cap", async () => {
    const { loop, printed } = makeLoop({ slots: 1, loop: true, maxFailures: 1 });
    const { driver, ran } = scripted(loop, [[1], [2, 3], [4, 5, 6, 7]], (s) => s === 5);
    await loop.drive(driver);
    expect(ran.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5]);
    expect(printed.filter((l) => l.startsWith("round ")).map((l) => l.split(":")[0])).toEqual(["round 1 done", "round 2 done"]);
    expect(loop.notRun).toBe(2);
  });

  it("keeps failures and the first passing runs up to the cap, counting the rest", async () => {
    const { loop } = makeLoop({ slots: 1, maxPassingKept: 2 });
    const { driver } = scripted(loop, [[1, 2, 3, 4, 5]], (s) => s === 5);
    await loop.drive(driver);
    expect(loop.results.inListOrder().map((r) => r.seed)).toEqual([1, 2, 5]);
    expect(loop.results.omittedPassing).toBe(2);
    expect(loop.results.tally.total).toBe(5);
  });

  it("restored runs (--resume) are counted and kept beyond the passing cap", () => {
    const { loop } = makeLoop({ maxPassingKept: 0 });
    loop.results.restore(0, record("T", 1, true));
    loop.results.add(1, record("T", 2, true));
    expect(loop.results.finished.map((r) => r.seed)).toEqual([1]);
    expect(loop.results.tally.passed).toBe(2);
  });
});
