// Failure signatures: numbers, peer ids and values stripped, so one cause gives one group.

import { describe, expect, it } from "vitest";
import { failureSignature, isRandomToken, maskRandomTokens, normaliseMessage } from "../../src/runs/signature.js";

/** The lab's randstring(n): base64 (URL alphabet) of random bytes, cut to n, from a seeded generator. */
function randstring(n: number, seed: number): string {
  let x = seed >>> 0 || 1;
  const bytes = Buffer.alloc(2 * n);
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = (x >>> 0) & 0xff;
  }
  return bytes.toString("base64url").slice(0, n);
}

describe("normaliseMessage", () => {
  it("strips numbers, peer ids, terms and quoted values", () => {
    const cases: [string, string][] = [
      ["term 4 has 2 (>1) leaders", "term N has N (>N) leaders"],
      ["expected one leader, got none", "expected one leader, got none"],
      ["one(1043) failed to reach agreement", "one(N) failed to reach agreement"],
      ["commit index=12 server=1 417 != server=2 9931", "commit index=N server=N N != server=N N"],
      ["server 3 apply out of order 7", "server N apply out of order N"],
      ["S2 granted vote to S0 in T5", "SN granted vote to SN in TN"],
      ['one("x-8812") failed', 'one("…") failed'],
      ["too many RPC bytes; got 250013, expected 200000", "too many RPC bytes; got N, expected N"],
      ["took 1.25s, limit 120s", "took N, limit N"],
      ["applied [3, 4, 5] twice", "applied [N…] twice"],
      ["ptr 0x7ffd12 bad", "ptr N bad"],
    ];
    for (const [input, want] of cases) expect(normaliseMessage(input), input).toBe(want);
  });

  it("keeps digits inside words, such as a test name's part", () => {
    expect(normaliseMessage("Figure83C failed at step 12")).toBe("Figure83C failed at step N");
  });

  it("keeps only the first line (a stack trace is not part of the identity)", () => {
    expect(normaliseMessage("TypeError: x is undefined\n    at foo (/a/b.js:12:3)\n    at bar")).toBe("TypeError: x is undefined");
  });

  it("collapses whitespace and caps the length", () => {
    expect(normaliseMessage("  a \t b  ")).toBe("a b");
    expect(normaliseMessage("x".repeat(500)).length).toBeLessThanOrEqual(160);
  });

  it("gives two messages that differ only in numbers the same key", () => {
    expect(normaliseMessage("one(17) failed to reach agreement after 10000 ms")).toBe(normaliseMessage("one(90321) failed to reach agreement after 9980 ms"));
  });
});

describe("random tokens", () => {
  it("mask the lab's randstring(5000) as a number is masked: one bug, one key", () => {
    const keys = new Set([1, 2, 3, 4, 5].map((seed) => normaliseMessage(`one(${randstring(5000, seed)}) failed to reach agreement`)));
    expect([...keys]).toEqual([normaliseMessage("one(101) failed to reach agreement")]);
  });

  it("mask base64 and hex tokens and UUIDs, and keep names, short words and plain words", () => {
    for (const seed of [7, 8, 9]) expect(isRandomToken(randstring(64, seed)), randstring(64, seed)).toBe(true);
    expect(maskRandomTokens("key 3f9a0c1be2d47f6a got 550e8400-e29b-41d4-a716-446655440000")).toBe("key N got N");
    for (const name of [
      "TestFigure8Unreliable3C",
      "TestSnapshotInstallUnCrash3D",
      "TestPersistPartitionUnreliableLinearizable4A",
      "TestRPCBytes3B",
      "abcdefghijklmnopqrstuvwxyz",
    ]) {
      expect(maskRandomTokens(`${name} failed`), name).toBe(`${name} failed`);
    }
  });
});

describe("failureSignature", () => {
  it("uses the invariant's name when there is one, whatever the message", () => {
    expect(failureSignature({ kind: "violation", invariant: "election-safety", message: "term 3 has leaders S1 and S2" })).toBe("violation: election-safety");
  });
  it("prefixes the kind, so a timeout and a failure with similar text stay apart", () => {
    expect(failureSignature({ kind: "fail", message: "one(5) failed to reach agreement" })).toBe("fail: one(N) failed to reach agreement");
    expect(failureSignature({ kind: "timeout", message: "test took longer than 120 seconds" })).toBe("timeout: test took longer than N seconds");
    expect(failureSignature({ kind: "crash", message: "" })).toBe("crash: (no message)");
  });
});
