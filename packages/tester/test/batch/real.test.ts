// The batch runner on the real tester and raftlab's Raft with a deliberate bug: failing runs are
// saved and grouped, every printed replay command reproduces its failure exactly (same message, same
// trace bytes, run again in this process through runTest), and a Raft that busy-loops is stopped at
// the timeout without stopping the batch. Needs the compiled worker (`tsc -b`).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTraceEvent, type MakeRaft } from "@raftlab/raft";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTest } from "../../src/runner.js";
import { batchOptions, runBatch, type BatchOptions, type BatchOutcome } from "../../src/batch/batch.js";
import { measureBatchThroughput } from "../../src/batch/bench.js";
import { formatTriage, groupFailures } from "../../src/runs/triage.js";

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const buggy = fixture("apply-out-of-order.mjs");
const dir = mkdtempSync(join(tmpdir(), "raftlab-real-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(overrides: Partial<BatchOptions>): BatchOptions {
  return batchOptions({ tests: [], iterations: 3, workers: 2, outDir: join(dir, "out") }, { timeoutSec: 60, quiet: true, ...overrides });
}

describe("batch against a broken Raft (apply-out-of-order)", () => {
  let outcome: BatchOutcome;
  let outDir: string;
  beforeAll(async () => {
    outDir = join(dir, "buggy");
    outcome = await runBatch(
      options({
        tests: ["TestInitialElection3A", "TestConcurrentStarts3B", "TestFailAgree3B", "TestRejoin3B"],
        iterations: 3,
        impl: buggy,
        outDir,
      }),
    );
  });

  it("fails the runs that apply two entries at once, saves their traces and logs, and groups them", () => {
    const failed = outcome.records.filter((r) => !r.ok);
    // Elections alone never apply anything, so the 3A test passes; the 3B tests catch the bug.
    expect(outcome.records.filter((r) => r.test === "TestInitialElection3A").every((r) => r.ok)).toBe(true);
    expect(failed.length).toBeGreaterThanOrEqual(6);
    const saved = new Set(readdirSync(outDir));
    for (const r of failed) {
      expect(saved.has(`${r.test}-${r.seed}.jsonl`)).toBe(true);
      expect(saved.has(`${r.test}-${r.seed}.log`)).toBe(true);
    }
    // Passing runs are not saved.
    expect([...saved].filter((f) => f.startsWith("TestInitialElection3A"))).toEqual([]);
    const groups = groupFailures(outcome.records);
    expect(groups[0]?.signature).toBe("fail: apply error: server N apply out of order N");
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(failed.length);
    expect(outcome.replayChecks.length).toBe(groups.length);
    expect(outcome.replayChecks.every((c) => c.verdict === "same")).toBe(true);
  });

  it("every printed replay command reproduces its failure exactly: same message, same trace bytes", async () => {
    const make = ((await import(buggy)) as { make: MakeRaft }).make;
    const text = formatTriage(groupFailures(outcome.records), { impl: buggy, outDir }).join("\n");
    const commands = [...text.matchAll(/replay: raftlab run (\S+) --seed (\d+) --impl \S+ --trace \| logviz/g)];
    expect(commands.length).toBe(groupFailures(outcome.records).length);
    // Also every failing run, not only the groups' examples: each saved run must replay exactly.
    const pairs = new Map<string, [string, number]>();
    for (const m of commands) pairs.set(`${m[1]}#${m[2]}`, [m[1] ?? "", Number(m[2])]);
    for (const r of outcome.records) if (!r.ok) pairs.set(`${r.test}#${r.seed}`, [r.test, r.seed]);
    for (const [test, seed] of pairs.values()) {
      const saved = outcome.records.find((r) => r.test === test && r.seed === seed);
      expect(saved?.ok).toBe(false);
      const lines: string[] = [];
      const replay = await runTest(test, { seed, impl: make, trace: (e) => lines.push(`${formatTraceEvent(e)}\n`) });
      expect(replay.ok).toBe(false);
      expect(replay.failure?.message).toBe(saved?.message);
      expect(replay.failure?.kind).toBe(saved?.kind);
      expect(replay.virtualMs).toBe(saved?.virtualMs);
      expect(lines.join("")).toBe(readFileSync(join(outDir, `${test}-${seed}.jsonl`), "utf8"));
    }
  });
});

describe("batch against a Raft that prints (printf debugging)", () => {
  it("puts the Raft's console output in the failing run's .log, in order with the tester's lines", async () => {
    const outDir = join(dir, "chatty");
    const outcome = await runBatch(options({ tests: ["TestConcurrentStarts3B"], iterations: 1, workers: 1, impl: fixture("chatty-raft.mjs"), outDir }));
    expect(outcome.records[0]?.ok).toBe(false);
    const log = readFileSync(join(outDir, "TestConcurrentStarts3B-1.log"), "utf8");
    expect(log).toContain("S0 starting at t=0");
    expect(log).toMatch(/Test \(3B\): concurrent Start\(\)s[\s\S]*S\d applies 1/);
    expect(log).toContain("--- FAIL: TestConcurrentStarts3B");
  });
});

describe("batch against a Raft that busy-loops", () => {
  it("stops each run at the timeout, reports it, and finishes the batch", async () => {
    const started = performance.now();
    const outcome = await runBatch(
      options({ tests: ["TestInitialElection3A"], iterations: 2, workers: 1, timeoutSec: 1, impl: fixture("busy-loop-raft.mjs"), outDir: join(dir, "hang") }),
    );
    expect(outcome.tally.total).toBe(2);
    expect(outcome.records.map((r) => [r.seed, r.ok, r.kind])).toEqual([
      [1, false, "timeout"],
      [2, false, "timeout"],
    ]);
    expect(outcome.records[0]?.message).toContain("the run was stopped (--timeout)");
    expect(readFileSync(join(dir, "hang", "TestInitialElection3A-1.log"), "utf8")).toContain("# kind: timeout");
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

describe("raftlab batch (the real binary)", () => {
  const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
  const raftlab = (args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";

  it("runs 3A with our Raft: exit 0, progress on stderr, table and `N passed, 0 failed` last", () => {
    const r = raftlab(["batch", "3A", "-n", "3", "-j", "2", "--out", join(dir, "cli-ok"), "--json", join(dir, "cli-ok.json")]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/TestManyElections3A\s+0\s+3\s+0\.0%/);
    expect(lastLine(r.stdout)).toBe("9 passed, 0 failed");
    expect(r.stderr).toContain("9/9 runs (100%)");
  });

  it("with --impl of a broken Raft: exit 1, a verified replay command per group, and triage of the folder agrees", () => {
    const out = join(dir, "cli-bad");
    const r = raftlab(["batch", "TestFailAgree3B", "TestConcurrentStarts3B", "-n", "2", "-j", "2", "--impl", buggy, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("fail: apply error: server N apply out of order N");
    expect(r.stdout).toMatch(/replay: raftlab run Test\w+ --seed \d+ --impl \S+ --trace \| logviz/);
    expect(r.stdout).toContain("✓ replayed: same failure, byte-identical trace");
    // The printed replay command itself (the part before `| logviz`), run as a process, prints exactly the
    // saved trace.
    const printed = [...r.stdout.matchAll(/replay: raftlab (run \S+ --seed \d+ --impl \S+ --trace) \| logviz/g)];
    expect(printed.length).toBeGreaterThan(0);
    for (const m of printed) {
      const args = (m[1] ?? "").split(" ");
      const replay = raftlab(args);
      expect(replay.status).toBe(1);
      const [test, seed] = [args[1], args[3]];
      // The piped trace also carries the lab's result lines as Output events (for logviz); everything
      // else is the saved trace, byte for byte.
      const events = replay.stdout
        .split("\n")
        .filter((l) => !l.includes('"op":"Output"'))
        .join("\n");
      expect(events).toBe(readFileSync(join(out, `${test}-${seed}.jsonl`), "utf8"));
      expect(replay.stdout).toContain('"op":"Output"');
    }
    const t = raftlab(["triage", out]);
    expect(t.status).toBe(1);
    expect(lastLine(t.stdout)).toBe(lastLine(r.stdout));
    expect(t.stdout).toContain("fail: apply error: server N apply out of order N");
  });
});

describe("measureBatchThroughput", () => {
  it("reports the runs it made and consistent rates (what `pnpm bench` prints)", async () => {
    const r = await measureBatchThroughput({ workers: 1, iterations: 3, tests: ["TestBasicAgree3B", "TestConcurrentStarts3B"] });
    expect(r).toMatchObject({ workers: 1, tests: 2, runs: 6, failed: 0 });
    expect(r.runsPerSecond).toBeCloseTo(6 / (r.elapsedMs / 1000), 6);
    expect(r.suiteIterationsPerHour).toBeCloseTo((3 * 3_600_000) / r.elapsedMs, 6);
    expect(r.cpuMsPerRun).toBeGreaterThan(0);
    expect(r.meanRunWallMs).toBeGreaterThan(0);
  });
});
