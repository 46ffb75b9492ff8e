// The seeded PRNG: determinism is a design rule, so the same seed must give the same stream.
import { describe, expect, it } from "vitest";
import { createPrng } from "../src/index.js";

describe("prng (xoshiro128**)", () => {
  it("gives the same stream for the same seed and a different one for another", () => {
    const a = createPrng(42),
      b = createPrng(42),
      c = createPrng(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(sa);
  });

  it("draws integers uniformly in [0, n)", () => {
    const p = createPrng(1);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[p.int(10)]!++;
    for (const k of counts) expect(Math.abs(k - 10_000)).toBeLessThan(500);
    expect(() => p.int(0)).toThrow(RangeError);
  });
});
