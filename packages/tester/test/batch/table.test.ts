// The summary table: counts, failure rate with its 95% interval, virtual time mean ± σ, wall time.

import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/runs/record.js";
import { BatchTally, RunningStat } from "../../src/runs/stats.js";
import { formatSummaryTable, formatTotalsLine, wilsonInterval } from "../../src/runs/table.js";

function rec(test: string, ok: boolean, virtualMs: number | null, wallMs: number): RunRecord {
  return {
    test,
    seed: 1,
    ok,
    signature: ok ? null : "fail: x",
    kind: ok ? null : "fail",
    message: ok ? null : "x",
    invariant: null,
    virtualMs,
    wallMs,
    rpcs: null,
    bytes: null,
    cmds: null,
    peers: null,
    trace: null,
    log: null,
    traceTruncated: false,
  };
}

describe("RunningStat (Welford)", () => {
  it("gives the mean and the sample standard deviation", () => {
    const s = new RunningStat();
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) s.add(x);
    expect(s.mean).toBe(5);
    expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
    const one = new RunningStat();
    one.add(3);
    expect(one.stddev).toBe(0);
    expect(Number.isNaN(new RunningStat().mean)).toBe(true);
  });
});

describe("wilsonInterval", () => {
  it("bounds the failure rate: 0 of 200 still allows up to about 1.9%", () => {
    const [lo, hi] = wilsonInterval(0, 200);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(0.01885, 4);
  });
  it("contains the observed rate and narrows with more runs", () => {
    const [lo, hi] = wilsonInterval(3, 200);
    expect(lo).toBeLessThan(0.015);
    expect(hi).toBeGreaterThan(0.015);
    const [lo2, hi2] = wilsonInterval(30, 2000);
    expect(hi2 - lo2).toBeLessThan(hi - lo);
  });
});

describe("formatSummaryTable", () => {
  it("has one row per test with failed, total, rate, interval, virtual mean ± σ and wall mean", () => {
    const t = new BatchTally();
    t.ensure("TestA");
    t.ensure("TestB");
    t.add(rec("TestA", true, 1000, 10));
    t.add(rec("TestA", false, 3000, 30));
    t.add(rec("TestB", true, 2000, 5));
    // A stopped run has no virtual time; it counts, but not in the virtual-time statistics.
    t.add(rec("TestB", false, null, 120_000));
    const lines = formatSummaryTable(t);
    expect(lines[0]).toMatch(/^Test\s+Failed\s+Total\s+Fail rate\s+95% CI\s+Virtual time \(s\)\s+Wall \(ms\)$/);
    expect(lines[2]).toMatch(/^TestA\s+1\s+2\s+50\.0%\s+9\.5–91%\s+2\.00 ± 1\.41\s+20$/);
    expect(lines[3]).toMatch(/^TestB\s+1\s+2\s+50\.0%\s+9\.5–91%\s+2\.00 ± 0\.00\s+60003$/);
    expect(formatTotalsLine(t)).toBe("2 passed, 2 failed");
  });
});
