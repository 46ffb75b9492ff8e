// The run list is a pure function of the arguments, and --shard I/N slices partition it exactly.

import { describe, expect, it } from "vitest";
import { buildRunList, loopRoundIterations, parseShard, shardRunList, RunListError } from "../../src/runs/runlist.js";

const key = (r: { test: string; seed: number }): string => `${r.test}#${r.seed}`;

describe("buildRunList", () => {
  it("interleaves tests by default: every test at seed s before any at s+1", () => {
    const list = buildRunList({ tests: ["A", "B", "C"], iterations: 2, seedStart: 10, sequential: false });
    expect(list.map(key)).toEqual(["A#10", "B#10", "C#10", "A#11", "B#11", "C#11"]);
  });

  it("runs each test's seeds in order with --sequential", () => {
    const list = buildRunList({ tests: ["A", "B"], iterations: 3, seedStart: 1, sequential: true });
    expect(list.map(key)).toEqual(["A#1", "A#2", "A#3", "B#1", "B#2", "B#3"]);
  });

  it("is the same list for the same arguments", () => {
    const args = { tests: ["A", "B", "C"], iterations: 50, seedStart: 7, sequential: false };
    expect(buildRunList(args)).toEqual(buildRunList(args));
  });

  it("rejects a zero iteration count, a negative seed and seeds past uint32", () => {
    expect(() => buildRunList({ tests: ["A"], iterations: 0, seedStart: 1, sequential: false })).toThrow(RunListError);
    expect(() => buildRunList({ tests: ["A"], iterations: 1, seedStart: -1, sequential: false })).toThrow(RunListError);
    expect(() => buildRunList({ tests: ["A"], iterations: 2, seedStart: 0xffff_ffff, sequential: false })).toThrow(RunListError);
    expect(() => buildRunList({ tests: [], iterations: 2, seedStart: 1, sequential: false })).toThrow(RunListError);
  });
});

describe("shardRunList", () => {
  for (const count of [1, 2, 3, 7, 40]) {
    it(`shards 1/${count}..${count}/${count} partition the list exactly`, () => {
      const list = buildRunList({ tests: ["A", "B", "C", "D", "E"], iterations: 23, seedStart: 1, sequential: false });
      const shards = Array.from({ length: count }, (_, i) => shardRunList(list, { index: i + 1, count }));
      const all = shards.flat().map(key);
      // Every run in exactly one shard: same multiset, no duplicates.
      expect(all.length).toBe(list.length);
      expect(new Set(all).size).toBe(list.length);
      expect(new Set(all)).toEqual(new Set(list.map(key)));
      // Balanced: sizes differ by at most one.
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    });
  }

  it("stripes, so each shard gets a mix of tests rather than one test's block", () => {
    const list = buildRunList({ tests: ["A", "B"], iterations: 4, seedStart: 1, sequential: true });
    expect(shardRunList(list, { index: 1, count: 2 }).map(key)).toEqual(["A#1", "A#3", "B#1", "B#3"]);
  });

  it("rejects a shard index outside 1..N", () => {
    expect(() => shardRunList([1, 2], { index: 0, count: 2 })).toThrow(RunListError);
    expect(() => shardRunList([1, 2], { index: 3, count: 2 })).toThrow(RunListError);
  });
});

describe("parseShard", () => {
  it("parses I/N, 1-based", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
  });
  it("rejects malformed and out-of-range shards with a one-line error", () => {
    for (const bad of ["", "2", "0/4", "5/4", "a/b", "1/0", "-1/4", "1/4/2"]) {
      expect(() => parseShard(bad), bad).toThrow(RunListError);
    }
  });
});

describe("loopRoundIterations", () => {
  it("multiplies by the growth factor each round", () => {
    expect([0, 1, 2, 3].map((r) => loopRoundIterations(10, 2, r, 3))).toEqual([10, 20, 40, 80]);
    expect([0, 1, 2].map((r) => loopRoundIterations(10, 10, r, 3))).toEqual([10, 100, 1000]);
    expect(loopRoundIterations(3, 1.5, 1, 1)).toBe(5);
  });
  it("is capped so a long loop cannot build an unbounded list", () => {
    expect(loopRoundIterations(10, 10, 30, 20)).toBe(500_000);
  });
});
