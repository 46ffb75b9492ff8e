// raftlab shrink (src/shrink/): known failures of deliberately broken Rafts shrink to a strictly
// smaller schedule that fails the same way and replays byte for byte; the CLI prints the faults, the
// replay command and `faults: N -> M` last, with exit codes 0 / 1 / 2.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTraceEvent, type MakeRaft } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { failureSignature } from "../src/runs/signature.js";
import { runTest } from "../src/runner.js";
import type { Schedule } from "../src/schedule/format.js";
import { ScheduleSession } from "../src/schedule/session.js";
import { shrinkRun, type ShrinkResult } from "../src/shrink/shrink.js";
import { loadMutant, mutantPath } from "./fixtures/mutants/load.js";

async function replayDigest(schedule: Schedule, impl: MakeRaft): Promise<{ digest: string; signature: string | null }> {
  const lines: string[] = [];
  const session = new ScheduleSession({ test: schedule.test, seed: schedule.seed, servers: schedule.servers, replay: schedule });
  const r = await runTest(schedule.test, { seed: schedule.seed, impl, schedule: session, trace: (e) => lines.push(formatTraceEvent(e)) });
  return { digest: createHash("sha256").update(lines.join("\n")).digest("hex"), signature: r.failure === undefined ? null : failureSignature(r.failure) };
}

/** The checks every shrink must pass: same failure, strictly fewer faults, a byte-identical replay. */
async function expectGoodShrink(r: ShrinkResult, impl: MakeRaft): Promise<void> {
  expect(r.status).toBe("shrunk");
  expect(r.original.signature).not.toBeNull();
  expect(r.shrunk.signature).toBe(r.original.signature);
  expect(r.sameFailure).toBe(true);
  expect(r.shrunk.faults).toBeLessThan(r.original.faults);
  expect(r.faults).toHaveLength(r.shrunk.faults);
  const a = await replayDigest(r.shrunk.schedule, impl);
  const b = await replayDigest(JSON.parse(JSON.stringify(r.shrunk.schedule)) as Schedule, impl);
  expect(a.signature).toBe(r.original.signature);
  expect(b.digest).toBe(a.digest);
}

describe("shrinking known failures", () => {
  it("term-not-persisted fails TestFigure83C at seed 2 only after a crash: the shrunk schedule keeps a crash and drops the rest", async () => {
    const impl = await loadMutant("term-not-persisted");
    const opts = { impl, budgetMs: 120_000, maxRuns: 40 };
    const r = await shrinkRun("TestFigure83C", 2, opts);
    await expectGoodShrink(r, impl);
    expect(r.original.faults).toBeGreaterThan(10);
    expect(r.faults.some((f) => f.kind === "crash")).toBe(true);
    expect(r.original.failure?.invariant).toBe("Persist Before Reply");
    // The failure comes earlier, so the script stops earlier: fewer events, less virtual time.
    expect(r.shrunk.events).toBeLessThan(r.original.events);
    expect(r.shrunk.virtualMs).toBeLessThan(r.original.virtualMs);
    // Deterministic: the same inputs shrink to the same schedule.
    const again = await shrinkRun("TestFigure83C", 2, opts);
    expect(JSON.stringify(again.shrunk.schedule)).toBe(JSON.stringify(r.shrunk.schedule));
  }, 300_000);

  it("vote-without-up-to-date-check fails TestPersist23C at seed 1: shrunk to fewer partitions, same broken rule", async () => {
    const impl = await loadMutant("vote-without-up-to-date-check");
    const r = await shrinkRun("TestPersist23C", 1, { impl, budgetMs: 120_000, maxRuns: 40 });
    await expectGoodShrink(r, impl);
    expect(r.original.failure?.invariant).toBe("Up-To-Date Vote");
  }, 300_000);

  it("a run that passes has nothing to shrink", async () => {
    const r = await shrinkRun("TestInitialElection3A", 1, { budgetMs: 60_000, maxRuns: 5 });
    expect(r.status).toBe("passes");
    expect(r.runs).toBe(0);
  }, 60_000);

  it("a run limit stops the search with the best schedule so far", async () => {
    const impl = await loadMutant("term-not-persisted");
    const r = await shrinkRun("TestFigure83C", 2, { impl, maxRuns: 0 });
    expect(r.stoppedBy).toBe("runs");
    expect(r.shrunk.faults).toBe(r.original.faults);
    expect(r.sameFailure).toBe(true);
  }, 120_000);
});

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");

function raftlab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("raftlab shrink", () => {
  it("writes the schedule, prints the faults, the replay command and last 'faults: N -> M'; the replay fails the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftlab-shrink-"));
    const file = join(dir, "f8.json");
    const impl = mutantPath("term-not-persisted");
    const r = raftlab("shrink", "TestFigure83C", "--seed", "2", "--impl", impl, "--budget", "120", "-o", file);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trimEnd().split("\n");
    expect(out[0]).toBe("TestFigure83C seed 2 fails: violation: Persist Before Reply");
    expect(out).toContain(`schedule: ${file}`);
    expect(out.some((l) => /^ {2}t=\d+\.\d{3}s crash S\d$/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^faults: (\d+) -> (\d+) {2}events: \d+ -> \d+ {2}virtual: \d+\.\d{3}s -> \d+\.\d{3}s$/);
    const [, before, after] = /^faults: (\d+) -> (\d+)/.exec(out.at(-1) ?? "") ?? [];
    expect(Number(after)).toBeLessThan(Number(before));
    const replay = out.find((l) => l.startsWith("replay: "));
    expect(replay).toBe(`replay: raftlab run TestFigure83C --schedule ${file} --impl ${impl} --trace | logviz`);
    expect((JSON.parse(readFileSync(file, "utf8")) as Schedule).test).toBe("TestFigure83C");
    const run = raftlab("run", "TestFigure83C", "--schedule", file, "--impl", impl);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("[violation] Persist Before Reply violated");
  }, 300_000);

  it("exit 1 for a run that passes, 2 for a usage error (one line)", () => {
    expect(raftlab("shrink", "InitialElection", "--seed", "1", "--budget", "5").code).toBe(1);
    for (const args of [
      ["shrink", "InitialElection"],
      ["shrink", "3A", "--seed", "1"],
      ["shrink", "NoSuchTest", "--seed", "1"],
      ["shrink", "InitialElection", "--seed", "1", "--budget", "0"],
    ]) {
      const r = raftlab(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^raftlab shrink: [^\n]+\n$/);
    }
  }, 120_000);
});
