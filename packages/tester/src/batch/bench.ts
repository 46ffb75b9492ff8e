// Throughput of the batch runner, for `pnpm bench` and BATCH.md: runs per second and full-suite
// iterations per hour at a given worker count.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchOptions, runBatch } from "./batch.js";
import { loadRunner } from "./contract.js";

export interface ThroughputOptions {
  readonly workers: number;
  /** Iterations of each test (default 2). */
  readonly iterations?: number;
  /** Tests to run (default: the whole suite, so that suite iterations per hour is meaningful). */
  readonly tests?: readonly string[];
  readonly seedStart?: number;
  readonly impl?: string | null;
  /** Measure with --trace-every-run. */
  readonly traceEveryRun?: boolean;
}

export interface ThroughputResult {
  readonly workers: number;
  readonly tests: number;
  readonly runs: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly runsPerSecond: number;
  /** Iterations of the measured test set per hour (of the whole suite when `tests` was not given). */
  readonly suiteIterationsPerHour: number;
  /** Mean wall time of one run inside its worker. */
  readonly meanRunWallMs: number;
  /**
   * CPU time of the whole process (parent and all worker threads) per run: unlike the rates, this does
   * not depend on what else the machine is doing, so it is the figure to compare across runs.
   */
  readonly cpuMsPerRun: number;
}

export async function measureBatchThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const tests = options.tests ?? (await loadRunner()).TESTS.map((t) => t.name);
  const iterations = options.iterations ?? 2;
  const outDir = mkdtempSync(join(tmpdir(), "raftlab-bench-"));
  const cpu0 = process.cpuUsage();
  try {
    const outcome = await runBatch(
      batchOptions(
        { tests, iterations, workers: options.workers, outDir },
        { seedStart: options.seedStart ?? 1, timeoutSec: 300, impl: options.impl ?? null, traceEveryRun: options.traceEveryRun === true, quiet: true },
      ),
    );
    const cpu = process.cpuUsage(cpu0);
    const runs = outcome.tally.total;
    const wall = outcome.tally.tests.reduce((s, t) => s + t.wallMs.mean * t.wallMs.count, 0);
    return {
      workers: options.workers,
      tests: tests.length,
      runs,
      failed: outcome.tally.failed,
      elapsedMs: outcome.elapsedMs,
      runsPerSecond: runs / (outcome.elapsedMs / 1000),
      suiteIterationsPerHour: (iterations * 3_600_000) / outcome.elapsedMs,
      meanRunWallMs: runs > 0 ? wall / runs : Number.NaN,
      cpuMsPerRun: runs > 0 ? (cpu.user + cpu.system) / 1000 / runs : Number.NaN,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
