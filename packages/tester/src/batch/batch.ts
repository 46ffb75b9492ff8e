// The batch runner: drives the shared run loop (runs/loop.ts) with the batch's "execute one run"
// (execute.ts: a test at a seed in a worker slot), then verifies that each failure group's example
// replays exactly and builds the report. (output.ts turns the outcome into the summary and the
// reports; stopped.ts saves what a stopped run left; runs/journaled-folder.ts holds the output folder,
// its lock and its journal.)

import { makeStyle, type Style } from "@raftlab/raft/terminal";
import { checkWritable } from "../runs/files.js";
import { finishFolder, openJournaledFolder as openBatchFolder, type FolderReport, type JournaledFolder } from "../runs/journaled-folder.js";
import { MAX_PASSING_RUNS_KEPT, RunLoop } from "../runs/loop.js";
import { createProgress, type Progress, type ProgressStream } from "../runs/progress.js";
import type { RunRecord } from "../runs/record.js";
import { REPORT_FORMAT, REPORT_VERSION, type BatchMeta, type BatchReport } from "../runs/report.js";
import type { Shard } from "../runs/runlist.js";
import type { BatchTally } from "../runs/stats.js";
import { BatchRuns } from "./execute.js";
import { BatchSlots } from "./slots.js";
import { shrinkFailureGroups } from "./shrink-groups.js";
import { createSpillDir, removeSpillDir } from "./spill.js";
import type { ShrunkExample } from "../runs/shrunk.js";
import type { ReplayCheck } from "./verify.js";

export const DEFAULT_TIMEOUT_SEC = 120;
/** dstest multiplies by 10; doubling keeps each round short, so Ctrl-C or a failure loses little work. */
export const DEFAULT_GROWTH = 2;
export const DEFAULT_MAX_HEAP_MB = 2048;
export const DEFAULT_TRACE_CAP_BYTES = 256 * 1024 * 1024;
export const DEFAULT_OUTPUT_CAP_LINES = 20_000;
export { MAX_REPLAY_CHECKS } from "./slots.js";
export { MAX_PASSING_RUNS_KEPT };

export interface BatchOptions {
  /** Test names (already resolved from patterns), in the tester's order. */
  readonly tests: readonly string[];
  readonly iterations: number;
  readonly workers: number;
  readonly sequential: boolean;
  readonly outDir: string;
  readonly archive: boolean;
  readonly seedStart: number;
  readonly timeoutSec: number;
  readonly jsonPath: string | null;
  readonly junitPath: string | null;
  readonly shard: Shard | null;
  readonly loop: boolean;
  readonly growth: number;
  readonly failFast: boolean;
  readonly impl: string | null;
  readonly maxHeapMb?: number;
  readonly traceCapBytes?: number;
  /** --strict: the checker's warnings fail runs instead of being counted. */
  readonly strict?: boolean;
  /** Test seam: a module to use instead of packages/tester's runner. */
  readonly runnerModule?: string | null;
  /** Where results go (default process.stdout) and progress goes (default process.stderr). */
  readonly stdout?: ProgressStream;
  readonly stderr?: ProgressStream;
  /** Colour in the progress output (the CLI sets it when stdout and stderr are both colour TTYs). */
  readonly colour?: boolean;
  /** --resume: runs of an earlier report of this batch; those in the run list are not run again. */
  readonly previousRuns?: readonly RunRecord[];
  /** Passing runs kept for the report (default MAX_PASSING_RUNS_KEPT); later ones are only counted. */
  readonly maxPassingRunsKept?: number;
  /** Replay each failure group's example and check it reproduces exactly (default true). */
  readonly verifyReplays?: boolean;
  /** No progress output at all (tests, benchmarks). */
  readonly quiet?: boolean;
  /**
   * Trace every run while it runs. By default runs go untraced and a failing run is run again with tracing
   * on to save its trace (the same seed is the same run): about 1.6x the throughput when failures are
   * rare, at the cost of a second run per failure and no partial trace for a run stopped by the timeout.
   * `archive` implies it.
   */
  readonly traceEveryRun?: boolean;
  /** Called with every finished run, in completion order (for callers that watch a batch). */
  readonly onResult?: (record: RunRecord) => void;
  /** --shrink: shrink each failure group's example within this budget per group (shrink-groups.ts). */
  readonly shrink?: { readonly budgetSec: number };
  /** Aborting stops the batch cleanly: in-flight runs are abandoned, the summary and reports still written. */
  readonly signal?: AbortSignal;
}

/** The parts of a batch every caller must choose; everything else has the CLI's defaults. */
export type BatchEssentials = Pick<BatchOptions, "tests" | "iterations" | "workers" | "outDir">;

/**
 * BatchOptions with the CLI's defaults (interleaved, no archive, seeds from 1, DEFAULT_TIMEOUT_SEC, no
 * reports, no shard, no loop, DEFAULT_GROWTH, no fail-fast, raftlab's own Raft), for programmatic
 * callers and tests that set only what they care about.
 */
export function batchOptions(essentials: BatchEssentials, overrides: Partial<BatchOptions> = {}): BatchOptions {
  return {
    sequential: false,
    archive: false,
    seedStart: 1,
    timeoutSec: DEFAULT_TIMEOUT_SEC,
    jsonPath: null,
    junitPath: null,
    shard: null,
    loop: false,
    growth: DEFAULT_GROWTH,
    failFast: false,
    impl: null,
    ...essentials,
    ...overrides,
  };
}

export interface BatchOutcome {
  /** Every finished run, in run-list order. */
  readonly records: readonly RunRecord[];
  readonly tally: BatchTally;
  readonly interrupted: boolean;
  readonly failFastStopped: boolean;
  readonly elapsedMs: number;
  /** Runs of the list that never finished (Ctrl-C, --fail-fast). */
  readonly notRun: number;
  /** Runs taken from the --resume report instead of being run. */
  readonly resumed: number;
  readonly report: BatchReport;
  /** One per failure group (its example run), when replays were verified. */
  readonly replayChecks: readonly ReplayCheck[];
  /**
   * Set when a run's trace or log could not be saved (the first such error, one line): the batch stopped
   * there rather than lose every later failure the same way.
   */
  readonly saveError: string | null;
  /** 0 all passed, 1 some run failed or artifacts could not be saved, 130 interrupted. */
  readonly exitCode: number;
  /** The report.json written into the output folder (null when the folder was not kept). */
  readonly folderReport: FolderReport | null;
}

export { clampWorkers, defaultOutDir, defaultWorkers, MAX_WORKERS_PER_CPU } from "../runs/defaults.js";

/** What the steps of one batch share: set up once, read by each step. */
interface BatchSetup {
  readonly options: BatchOptions;
  readonly progress: Progress;
  readonly style: Style;
  readonly started: number;
  readonly startedAt: string;
  readonly spillDir: string;
  readonly meta: BatchMeta;
  /** The output folder, made, locked and journaled before the first run (runs/journaled-folder.ts). */
  readonly folder: JournaledFolder;
}

export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  checkWritable(options);
  const setup = setUpBatch(options);
  const loop = new RunLoop<RunRecord>({
    slots: Math.max(1, options.workers),
    loop: options.loop,
    maxFailures: options.failFast ? 1 : null,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    maxPassingKept: options.maxPassingRunsKept ?? MAX_PASSING_RUNS_KEPT,
    tests: options.tests,
    progress: setup.progress,
    style: setup.style,
  });
  const slots = new BatchSlots(slotSettings(options), setup.spillDir, options.workers);
  // A stop (Ctrl-C, --fail-fast, an unsavable artifact) closes the slots: runs in flight are abandoned.
  loop.stopSignal.addEventListener("abort", () => void slots.closeAll(), { once: true });
  const runs = createBatchRuns(setup, loop, slots);
  const replayChecks: ReplayCheck[] = [];
  let shrinks: ShrunkExample[] | null = null;
  try {
    await loop.drive(runs);
    if (options.verifyReplays !== false && runs.saveError === null) {
      replayChecks.push(...(await slots.verifyReplays(loop.results.finished, loop.stopping, setup.progress, setup.style)));
    }
    if (options.shrink !== undefined && runs.saveError === null && !loop.interrupted) {
      shrinks = await shrinkGroups(setup, options.shrink.budgetSec, loop.results.finished, slots.slots.length);
    }
  } finally {
    loop.close();
    await slots.closeAll();
    setup.progress.stop();
    removeSpillDir(setup.spillDir);
  }
  return batchOutcome(setup, loop, runs, slots.slots.length, { replayChecks, shrinks });
}

/** --shrink: each failure group's example shrunk in its own isolated child process, `parallel` at a time (shrink-groups.ts). */
function shrinkGroups(setup: BatchSetup, budgetSec: number, records: readonly RunRecord[], parallel: number): Promise<ShrunkExample[]> {
  const { options } = setup;
  return shrinkFailureGroups(records, {
    outDir: options.outDir,
    impl: options.impl,
    strict: options.strict === true,
    budgetSec,
    parallel,
    timeoutSec: options.timeoutSec,
    maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
    traceCapBytes: options.traceCapBytes ?? DEFAULT_TRACE_CAP_BYTES,
    runnerModule: options.runnerModule ?? null,
    print: (text) => setup.progress.print(text),
    style: setup.style,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
}

function setUpBatch(options: BatchOptions): BatchSetup {
  const startedAt = new Date().toISOString();
  const meta: BatchMeta = {
    tests: options.tests,
    iterations: options.iterations,
    seedStart: options.seedStart,
    sequential: options.sequential,
    loop: options.loop,
    timeoutSec: options.timeoutSec,
    maxMemoryMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
    ...(options.strict === true ? { strict: true } : {}),
  };
  // The output folder is made, locked and given its journal (journal.ts) before the first run, so a
  // batch killed at any point after its first finished run leaves its counts, passing runs included.
  const folder = openBatchFolder(options.outDir, { impl: options.impl, batch: meta, startedAt }, (options.previousRuns ?? []).length > 0);
  const stderr = options.stderr ?? process.stderr;
  const colour = options.colour ?? false;
  const progress = createProgress(options.stdout ?? process.stdout, stderr, colour, options.quiet === true);
  const started = performance.now();
  if (folder.journal.repair !== null) stderr.write(`raftlab batch: ${folder.journal.repair}\n`);
  return { options, progress, style: makeStyle(colour), started, startedAt, spillDir: createSpillDir(), meta, folder };
}

function slotSettings(options: BatchOptions): ConstructorParameters<typeof BatchSlots>[0] {
  return {
    impl: options.impl,
    outDir: options.outDir,
    archive: options.archive,
    strict: options.strict === true,
    traceEveryRun: options.traceEveryRun === true,
    traceCapBytes: options.traceCapBytes ?? DEFAULT_TRACE_CAP_BYTES,
    outputCapLines: DEFAULT_OUTPUT_CAP_LINES,
    runnerModule: options.runnerModule ?? null,
    timeoutMs: options.timeoutSec * 1000,
    maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
  };
}

function createBatchRuns(setup: BatchSetup, loop: RunLoop<RunRecord>, slots: BatchSlots): BatchRuns {
  const o = setup.options;
  const previousRuns = o.previousRuns ?? [];
  const settings = {
    ...slotSettings(o),
    tests: o.tests,
    iterations: o.iterations,
    seedStart: o.seedStart,
    sequential: o.sequential,
    shard: o.shard,
    loop: o.loop,
    growth: o.growth,
    untraced: o.traceEveryRun !== true && !o.archive,
    ...(o.onResult !== undefined ? { onResult: o.onResult } : {}),
  };
  return new BatchRuns(settings, loop, slots, setup.progress, previousRuns, setup.folder.journal);
}

/** What the steps after the run loop add to the report. */
interface AfterRuns {
  readonly replayChecks: ReplayCheck[];
  readonly shrinks: ShrunkExample[] | null;
}

function batchOutcome(setup: BatchSetup, loop: RunLoop<RunRecord>, runs: BatchRuns, workers: number, after: AfterRuns): BatchOutcome {
  const { replayChecks, shrinks } = after;
  const { options } = setup;
  const records = loop.results.inListOrder();
  const elapsedMs = performance.now() - setup.started;
  // An interrupted batch always keeps its folder and report so that it can be resumed; a batch that
  // saved nothing there removes the folder it made.
  const outDirUsed = setup.folder.keep(loop.stopping) ? options.outDir : null;
  const saveError = runs.saveError;
  const report: BatchReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    impl: options.impl,
    shard: options.shard,
    outDir: outDirUsed,
    workers,
    startedAt: setup.startedAt,
    elapsedMs: Math.round(elapsedMs),
    interrupted: loop.stopping,
    runs: records,
    omittedPassingRuns: loop.results.omittedPassing,
    replayChecks,
    ...(saveError !== null ? { error: `stopped: cannot save run artifacts: ${saveError}` } : {}),
    batch: setup.meta,
    ...(shrinks !== null ? { shrinks } : {}),
  };
  return {
    records,
    tally: loop.results.tally,
    interrupted: loop.interrupted,
    failFastStopped: loop.stoppedEarly,
    elapsedMs,
    notRun: loop.notRun,
    resumed: runs.resumed,
    report,
    replayChecks,
    saveError,
    exitCode: loop.exitCode(saveError !== null),
    // report.json is written under the folder's lock, before the journal is marked ended and the lock given up.
    folderReport: finishFolder(setup.folder, outDirUsed === null ? null : report),
  };
}
