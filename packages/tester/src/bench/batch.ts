// Figure 4: batch throughput, runs per second with 1 and with 2 worker threads, through the batch
// runner's own measureBatchThroughput (packages/tester/src/batch/bench.ts). The workload is whole suite
// iterations, interleaved as `raftlab batch` runs them.

import { measureBatchThroughput, type ThroughputResult } from "../batch/index.js";
import { notMeasured, type Figure, type Progress } from "./types.js";

const TITLE = "4. Batch runner: runs per second, 1 vs 2 workers";

export async function measureBatch(iterations: number, workerCounts: readonly number[], progress: Progress): Promise<Figure> {
  const results: ThroughputResult[] = [];
  try {
    for (const workers of workerCounts) {
      progress(`batch: ${iterations} suite iteration${iterations === 1 ? "" : "s"} with ${workers} worker${workers === 1 ? "" : "s"}…`);
      results.push(await measureBatchThroughput({ workers, iterations, seedStart: 1 }));
    }
  } catch (err) {
    return notMeasured("batch", TITLE, err instanceof Error ? err.message : String(err));
  }
  const base = results[0];
  const rows = results.map((r) => [
    r.workers,
    r.runs,
    r.failed,
    (r.elapsedMs / 1000).toFixed(2),
    r.runsPerSecond.toFixed(1),
    Math.round(r.suiteIterationsPerHour).toLocaleString("en-US"),
    r.meanRunWallMs.toFixed(0),
    base === undefined ? "-" : `${(r.runsPerSecond / base.runsPerSecond).toFixed(2)}×`,
  ]);
  const one = results.find((r) => r.workers === 1);
  const two = results.find((r) => r.workers === 2);
  const scaling = one !== undefined && two !== undefined ? two.runsPerSecond / one.runsPerSecond : Number.NaN;
  return {
    id: "batch",
    title: TITLE,
    tables: [{ columns: ["workers", "runs", "failed", "elapsed s", "runs/s", "suites/hour", "mean run ms", "× 1 worker"], rows }],
    goals: Number.isFinite(scaling)
      ? [{ text: "2 workers scale on this 2-core machine (ideal 2.00×)", met: scaling > 1.5, detail: `${scaling.toFixed(2)}× the runs/s of 1 worker` }]
      : [],
    notes: [
      `Each measurement: ${iterations} iteration${iterations === 1 ? "" : "s"} of all tests (seeds from 1), worker threads, reports off; elapsed includes starting the workers.`,
      "suites/hour = whole A–D suite iterations per hour at that worker count.",
    ],
    data: { iterations, results, scaling },
  };
}
