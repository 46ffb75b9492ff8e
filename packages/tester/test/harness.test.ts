// The harness (config.go port) through whole lab tests, with Rafts broken in one precise way each:
// every check fails with the lab's message, and every kind of failure is reported as such.

import { describe, expect, it } from "vitest";
import { runTest } from "../src/runner.js";
import { ignoresSnapshots, neverCommits, neverElects, slowApplies, throwsInHandler, withApplies } from "./doubles.js";
import { loadMutant } from "./fixtures/mutants/load.js";

const applyOutOfOrder = await loadMutant("apply-out-of-order");

describe("cluster checks", () => {
  it("checkOneLeader: no leader within 10 rounds of 450-550 ms is 'expected one leader, got none'", async () => {
    const r = await runTest("TestInitialElection3A", { seed: 1, impl: neverElects });
    expect(r.ok).toBe(false);
    expect(r.failure).toEqual({ kind: "fail", message: "expected one leader, got none" });
    expect(r.virtualMs).toBeGreaterThanOrEqual(4500);
    expect(r.virtualMs).toBeLessThan(5500);
  });

  it("one(): a command Start()ed but never committed fails after 2 s without retry", async () => {
    const r = await runTest("TestBasicAgree3B", { seed: 1, impl: neverCommits });
    expect(r.failure).toEqual({ kind: "fail", message: "one(100) failed to reach agreement" });
    expect(r.virtualMs).toBeGreaterThanOrEqual(2000);
    expect(r.virtualMs).toBeLessThan(2100);
  });

  it("LogSize: a Raft that ignores snapshot() fails 'Log size too large'", async () => {
    // (Our compact encoding keeps ~240 entries under 2000 bytes, so SnapshotBasic alone would pass.)
    const r = await runTest("TestSnapshotInstall3D", { seed: 1, impl: ignoresSnapshots });
    expect(r.failure).toEqual({ kind: "fail", message: "Log size too large" });
  });

  it("the 120 s per-test limit on virtual time", async () => {
    const r = await runTest("TestSnapshotInstallCrash3D", { seed: 1, impl: slowApplies(1200) });
    expect(r.failure).toEqual({ kind: "timeout", message: "test took longer than 120 seconds" });
    expect(r.virtualMs).toBeLessThanOrEqual(120_000);
    expect(r.virtualMs).toBeGreaterThan(115_000);
  });
});

describe("appliers", () => {
  it("applier: a gap in applied indices is 'apply out of order'", async () => {
    const r = await runTest("TestFailAgree3B", { seed: 1, impl: applyOutOfOrder });
    expect(r.failure?.kind).toBe("fail");
    expect(r.failure?.message).toMatch(/^apply error: server \d apply out of order \d+$/);
  });

  it("applierSnap: an index other than lastApplied+1 is 'apply out of order, expected index …'", async () => {
    const r = await runTest("TestSnapshotBasic3D", { seed: 1, impl: applyOutOfOrder });
    expect(r.failure?.message).toMatch(/^apply error: server \d apply out of order, expected index \d+, got \d+$/);
  });

  it("applierSnap: a snapshot whose index differs from SnapshotIndex", async () => {
    const impl = withApplies((_me, m) => (m.snapshotValid ? { ...m, snapshotIndex: m.snapshotIndex + 1 } : m));
    const r = await runTest("TestSnapshotInstall3D", { seed: 1, impl });
    expect(r.failure?.message).toMatch(/^apply error: server \d snapshot doesn't match m\.SnapshotIndex$/);
  });

  it("a different command applied at one index is a State Machine Safety violation", async () => {
    const impl = withApplies((me, m) => (me === 1 && m.commandValid && m.commandIndex === 2 ? { ...m, command: "evil" } : m));
    const r = await runTest("TestBasicAgree3B", { seed: 1, impl });
    expect(r.failure?.kind).toBe("violation");
    expect(r.failure?.invariant).toBe("State Machine Safety");
    expect(r.failure?.message).toMatch(/^State Machine Safety violated: peers \d and 1 applied different commands at index 2: 200 != evil$/);
  });
});

describe("failures of the code under test", () => {
  it("an exception in a Raft's RPC handler is a crash, with the error and where it came from", async () => {
    const r = await runTest("TestInitialElection3A", { seed: 1, impl: throwsInHandler });
    expect(r.ok).toBe(false);
    expect(r.failure?.kind).toBe("crash");
    expect(r.failure?.message).toMatch(/^TypeError: cannot read properties of undefined \(reading 'term'\) \(.*doubles\.ts/);
  });

  it("make() returning something that is not a Raft peer is a crash naming the missing method", async () => {
    const r = await runTest("TestInitialElection3A", { seed: 1, impl: () => ({}) as never });
    expect(r.failure?.kind).toBe("crash");
    expect(r.failure?.message).toContain("make() for server 0 returned an object without a start() method");
  });

  it("prints the lab's lines: the title, then a Passed line or a FAIL line with the message", async () => {
    const lines: string[] = [];
    await runTest("TestInitialElection3A", { seed: 1, output: (l) => lines.push(l) });
    expect(lines[0]).toBe("Test (3A): initial election ...");
    expect(lines[1]).toMatch(/^ {2}\.\.\. Passed -- {2}\s*\d+\.\d {2}3 +\d+ +\d+ +0 +\d+ms wall$/);
    const failed: string[] = [];
    await runTest("TestBasicAgree3B", { seed: 1, impl: neverCommits, output: (l) => failed.push(l) });
    expect(failed).toEqual([
      "Test (3B): basic agreement ...",
      expect.stringMatching(/^--- FAIL: TestBasicAgree3B \(\d+\.\ds virtual, \d+ms wall\)$/),
      "    one(100) failed to reach agreement",
    ]);
  });
});
