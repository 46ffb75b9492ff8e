// Figure 4: batch throughput, runs per second with 1 and with 2 worker threads, through the batch
// runner's own measureBatchThroughput (packages/tester/src/batch/bench.ts). The workload is whole suite
// iterations, interleaved as `raftlab batch` runs them.

import { measureBatchThroughput, type ThroughputResult } from "../batch/index.js";
import { spinRate } from "./spin.js";
import { notMeasured, type Figure, type Progress } from "./types.js";

/** How long each capacity probe spins. */
const SPIN_MS = 1000;

const TITLE = "4. Batch runner: runs per second, 1 vs 2 workers";

export async function measureBatch(iterations: number, workerCounts: readonly number[], progress: Progress): Promise<Figure> {
  const results: (ThroughputResult & { coresUsed: number; spinRate: number })[] = [];
  try {
    for (const workers of workerCounts) {
      progress(`batch: machine capacity with ${workers} spinning thread${workers === 1 ? "" : "s"}…`);
      const spin = await spinRate(workers, SPIN_MS);
      progress(`batch: ${iterations} suite iteration${iterations === 1 ? "" : "s"} with ${workers} worker${workers === 1 ? "" : "s"}…`);
      // Workers are threads of this process, so its CPU time (cpuMsPerRun × runs) over the elapsed
      // time is how many cores the batch actually got (fewer than its workers on a busy machine).
      const r = await measureBatchThroughput({ workers, iterations, seedStart: 1 });
      results.push({ ...r, coresUsed: (r.cpuMsPerRun * r.runs) / r.elapsedMs, spinRate: spin });
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
    r.coresUsed.toFixed(2),
    (1000 / r.cpuMsPerRun).toFixed(1),
    base === undefined ? "-" : `${(r.runsPerSecond / base.runsPerSecond).toFixed(2)}×`,
    base === undefined ? "-" : `${(r.spinRate / base.spinRate).toFixed(2)}×`,
  ]);
  const one = results.find((r) => r.workers === 1);
  const two = results.find((r) => r.workers === 2);
  const scaling = one !== undefined && two !== undefined ? two.runsPerSecond / one.runsPerSecond : Number.NaN;
  const perCpu = one !== undefined && two !== undefined ? one.cpuMsPerRun / two.cpuMsPerRun : Number.NaN;
  const capacity = one !== undefined && two !== undefined ? two.spinRate / one.spinRate : Number.NaN;
  return {
    id: "batch",
    title: TITLE,
    tables: [
      {
        columns: [
          "workers",
          "runs",
          "failed",
          "elapsed s",
          "runs/s",
          "suites/hour",
          "mean run ms",
          "cores used",
          "runs/CPU s",
          "× 1 worker",
          "machine: × 1 thread",
        ],
        rows,
      },
    ],
    goals: [],
    notes: [
      `Scaling, 2 workers vs 1: ${Number.isFinite(scaling) ? `${scaling.toFixed(2)}× the runs/s` : "-"}, against ${Number.isFinite(capacity) ? `${capacity.toFixed(2)}×` : "-"} for two spinning threads measured just before (what the machine offered; 2.00× on 2 idle cores)${Number.isFinite(scaling / capacity) ? `: the runner gets ${((100 * scaling) / capacity).toFixed(0)}% of it` : ""}.`,
      `Runs per CPU second, 2 workers vs 1: ${Number.isFinite(perCpu) ? `${perCpu.toFixed(2)}×` : "-"} (1.00 = the second worker adds no CPU per run; each worker thread JIT-warms its own isolate).`,
      `Each measurement: ${iterations} iteration${iterations === 1 ? "" : "s"} of all tests (seeds from 1), worker threads, reports off; elapsed includes starting the workers.`,
      "suites/hour = whole A–D suite iterations per hour at that worker count.",
      "cores used = this process's CPU time / elapsed time. machine: × 1 thread = work per second of N threads of a trivial CPU-bound loop vs 1, measured right before each batch.",
    ],
    data: { iterations, results, scaling, perCpuScaling: perCpu, machineScaling: capacity },
  };
}
