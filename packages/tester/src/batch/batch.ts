// The batch runner: runs the run list over worker slots, saves failing runs' artifacts, shows
// progress, and verifies that each failure group's example replays exactly. (output.ts turns the
// outcome into the summary and the reports.)

import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatRunLog, makeDirs, saveErrorText } from "../runs/artifacts.js";
import { moveFileAtomic, writeFileAtomic } from "../runs/atomic.js";
import { checkWritable } from "../runs/files.js";
import { finishFolder, openJournaledFolder as openBatchFolder, type FolderReport } from "../runs/journaled-folder.js";
import { WorkerSlot, type SlotOutcome } from "./pool.js";
import { Progress, createProgress, type ProgressStream } from "../runs/progress.js";
import type { RunRecord } from "../runs/record.js";
import { artifactStem } from "../runs/record.js";
import { JOURNAL_FILE } from "../runs/journal.js";
import { REPORT_FORMAT, REPORT_VERSION, type BatchMeta, type BatchReport } from "../runs/report.js";
import { buildRunList, loopRoundIterations, shardRunList, type RunItem, type Shard } from "../runs/runlist.js";
import { failureSignature } from "../runs/signature.js";
import { BatchTally } from "../runs/stats.js";
import { EXIT, makeStyle } from "@raftlab/raft/terminal";
import { createSpillDir, removeSpillDir } from "./spill.js";
import { formatTotalsLine } from "../runs/table.js";
import { groupFailures } from "../runs/triage.js";
import { compareReplay, replayCheckable, type ReplayCheck } from "./verify.js";
import { shrinkFailureGroups } from "./shrink-groups.js";
import type { ShrunkExample } from "../runs/shrunk.js";

export const DEFAULT_TIMEOUT_SEC = 120;
/** dstest multiplies by 10; doubling keeps each round short, so Ctrl-C or a failure loses little work. */
export const DEFAULT_GROWTH = 2;
export const DEFAULT_MAX_HEAP_MB = 2048;
export const DEFAULT_TRACE_CAP_BYTES = 256 * 1024 * 1024;
export const DEFAULT_OUTPUT_CAP_LINES = 20_000;
/** Failure groups whose example is replayed after a batch (largest groups first). */
export const MAX_REPLAY_CHECKS = 50;
/** Passing runs listed in memory and in the report; beyond this they are only counted. */
export const MAX_PASSING_RUNS_KEPT = 200_000;

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

interface Indexed {
  readonly index: number;
  readonly item: RunItem;
}

export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  checkWritable(options);
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
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const colour = options.colour ?? false;
  const style = makeStyle(colour);
  const progress: Progress = createProgress(stdout, stderr, colour, options.quiet === true);
  const started = performance.now();
  if (folder.journal.repair !== null) stderr.write(`raftlab batch: ${folder.journal.repair}\n`);
  const spillDir = createSpillDir();
  const tally = new BatchTally();
  for (const t of options.tests) tally.ensure(t);
  const results: { index: number; record: RunRecord }[] = [];
  // Bounded memory for long --loop batches: failures are always kept, passing runs up to a cap (the
  // tallies still count every run).
  const maxPassingKept = options.maxPassingRunsKept ?? MAX_PASSING_RUNS_KEPT;
  let keptPassing = 0;
  let omittedPassing = 0;
  let listOffset = 0;
  /** Position of a round's first run in the whole batch, so records sort back into run-list order. */
  let runIndexBase = 0;
  let interrupted = options.signal?.aborted === true;
  let failFastStopped = false;
  let saveError: string | null = null;
  let notRun = 0;
  /** Runs go untraced until they fail (worker.ts); a hung one is then run again traced ("diagnose"). */
  const untraced = options.traceEveryRun !== true && !options.archive;
  const replayChecks: ReplayCheck[] = [];
  let shrinks: ShrunkExample[] | null = null;
  const previous = new Map<string, RunRecord>();
  for (const r of options.previousRuns ?? []) previous.set(runKey(r.test, r.seed), r);
  let resumed = 0;
  const journalRun = (record: RunRecord): void => {
    try {
      folder.journal.append(record);
    } catch (e) {
      if (saveError === null) {
        saveError = `${JOURNAL_FILE}: ${saveErrorText(e)}`;
        failFastStopped = true;
        stopAll();
      }
    }
  };

  const makeSlot = (i: number): WorkerSlot =>
      new WorkerSlot({
        config: {
          impl: options.impl,
          outDir: options.outDir,
          archive: options.archive,
          ...(options.strict === true ? { strict: true } : {}),
          traceEveryRun: options.traceEveryRun === true,
          traceCapBytes: options.traceCapBytes ?? DEFAULT_TRACE_CAP_BYTES,
          outputCapLines: DEFAULT_OUTPUT_CAP_LINES,
          spillPath: join(spillDir, `slot-${i}.jsonl`),
          runnerModule: options.runnerModule ?? null,
        },
        timeoutMs: options.timeoutSec * 1000,
        maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
      });
  const slots = Array.from({ length: Math.max(1, options.workers) }, (_, i) => makeSlot(i));
  const stopAll = (): void => {
    for (const s of slots) void s.close();
  };
  const onAbort = (): void => {
    interrupted = true;
    stopAll();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const recordStopped = (slotIndex: number, item: RunItem, outcome: Extract<SlotOutcome, { type: "stopped" }>): { record: RunRecord; saveError?: string } => {
    const stem = artifactStem(item.test, item.seed);
    const spill = join(spillDir, `slot-${slotIndex}.jsonl`);
    const failure = { kind: outcome.kind, message: outcome.message };
    const bare: RunRecord = {
      test: item.test,
      seed: item.seed,
      ok: false,
      signature: failureSignature(failure),
      kind: outcome.kind,
      message: outcome.message,
      invariant: null,
      virtualMs: null,
      wallMs: outcome.wallMs,
      rpcs: null,
      bytes: null,
      cmds: null,
      peers: null,
      trace: null,
      log: null,
      traceTruncated: true,
    };
    try {
      return { record: saveStopped(stem, spill, bare, outcome) };
    } catch (e) {
      for (const f of [`${stem}.jsonl`, `${stem}.log`]) rmSync(join(options.outDir, f), { force: true });
      return { record: bare, saveError: saveErrorText(e) };
    } finally {
      rmSync(spill, { force: true });
    }
  };

  /** Saves a stopped run's partial trace (what the worker had flushed) and its log; throws on a write error. */
  const saveStopped = (stem: string, spill: string, bare: RunRecord, outcome: Extract<SlotOutcome, { type: "stopped" }>): RunRecord => {
    makeDirs(options.outDir);
    let trace: string | null = null;
    const notes: string[] = [];
    const ring = outcome.trace;
    if (ring !== null) {
      // The shared ring (ring.ts) holds the trace up to the moment the run was stopped: all of it, or
      // its last TRACE_RING_BYTES. The spill file only has what was flushed in 256 KiB chunks.
      trace = `${stem}.jsonl`;
      writeFileAtomic(join(options.outDir, trace), ring.lines.length > 0 ? `${ring.lines.join("\n")}\n` : "");
      notes.push(
        ring.droppedBytes === 0
          ? `the run was stopped; the saved trace holds every event until then (${ring.lines.length} events)`
          : `the run was stopped; the saved trace holds its last ${ring.lines.length} events (${formatMiB(ring.droppedBytes)} before them were dropped)`,
      );
    } else if (existsSync(spill) && statSync(spill).size > 0) {
      trace = `${stem}.jsonl`;
      moveFileAtomic(spill, join(options.outDir, trace));
      notes.push("the run was stopped; the saved trace holds only what had been flushed");
    } else if (outcome.note !== undefined) {
      notes.push(outcome.note);
    } else {
      notes.push(
        outcome.kind === "timeout" || options.archive || options.traceEveryRun === true
          ? "the run was stopped before it traced anything; replay it to see the trace"
          : "runs are untraced until they fail (--trace-every-run traces them as they run), so a stopped run has no trace; replay it to see the trace",
      );
    }
    if (outcome.output.droppedBytes > 0) notes.push(`the output shown is its last ${outcome.output.lines.length} lines (${formatMiB(outcome.output.droppedBytes)} before them were dropped)`);
    const record: RunRecord = { ...bare, trace, log: `${stem}.log` };
    writeFileAtomic(
      join(options.outDir, `${stem}.log`),
      formatRunLog({ record, impl: options.impl, strict: options.strict === true, output: outcome.output.lines, outputTruncated: 0, note: notes.join("; ") }),
    );
    return record;
  };

  /** Replays every failure group's example run, spread over the slots (fresh after --fail-fast). */
  const verifyReplays = async (records: readonly RunRecord[]): Promise<ReplayCheck[]> => {
    const checks: ReplayCheck[] = [];
    const todo: RunRecord[] = [];
    for (const g of groupFailures(records)) {
      const why = todo.length >= MAX_REPLAY_CHECKS ? `only the ${MAX_REPLAY_CHECKS} largest groups are replayed` : replayCheckable(g.example);
      if (why === null) todo.push(g.example);
      else checks.push({ test: g.example.test, seed: g.example.seed, signature: g.signature, verdict: "skipped", detail: why });
    }
    if (todo.length === 0) return checks;
    progress.print(style.dim(`replaying ${todo.length} failure${todo.length === 1 ? "" : "s"} to check they reproduce exactly\n`));
    // After Ctrl-C or --fail-fast the batch's slots are closed; the replays get fresh ones. (A second
    // Ctrl-C still quits at once.)
    const fresh = failFastStopped || interrupted;
    const verifiers = fresh ? slots.map((_, i) => makeSlot(i)) : slots;
    let next = 0;
    await Promise.all(
      verifiers.slice(0, todo.length).map(async (slot) => {
        for (let r = todo[next++]; r !== undefined; r = todo[next++]) {
          const outcome = await slot.execute(r, "verify");
          checks.push(await compareReplay(r, options.outDir, outcome));
        }
      }),
    );
    if (verifiers !== slots) await Promise.all(verifiers.map((s) => s.close()));
    return checks;
  };

  try {
    for (let round = 0; !interrupted && !failFastStopped; round++) {
      const iterations = options.loop
        ? loopRoundIterations(options.iterations, options.growth, round, options.tests.length)
        : options.iterations;
      let full = buildRunList({
        tests: options.tests,
        iterations,
        seedStart: options.seedStart + listOffset,
        sequential: options.sequential,
      });
      listOffset += iterations;
      if (options.shard !== null) full = shardRunList(full, options.shard);
      const whole: Indexed[] = full.map((item, i) => ({ index: runIndexBase + i, item }));
      runIndexBase += whole.length;
      const totals = new Map<string, number>();
      for (const t of options.tests) totals.set(t, 0);
      for (const { item } of whole) totals.set(item.test, (totals.get(item.test) ?? 0) + 1);
      progress.startRound(round, totals);
      // --resume: runs the previous report already has count as done and are not run again.
      const list: Indexed[] = [];
      for (const job of whole) {
        const key = runKey(job.item.test, job.item.seed);
        const prior = previous.get(key);
        if (prior === undefined) {
          list.push(job);
          continue;
        }
        previous.delete(key);
        resumed += 1;
        results.push({ index: job.index, record: prior });
        tally.add(prior);
        journalRun(prior);
        progress.resumed(prior);
      }

      let next = 0;
      let finished = 0;
      const slotLoop = async (slot: WorkerSlot, slotIndex: number): Promise<void> => {
        while (!interrupted && !failFastStopped) {
          const job = list[next];
          if (job === undefined) return;
          next += 1;
          let outcome = await slot.execute(job.item);
          if (outcome.type === "cancelled") return;
          if (outcome.type === "stopped" && outcome.kind === "timeout" && untraced && !interrupted && !failFastStopped) {
            // It hung untraced: run it once more, traced from the start, to keep the trace's tail up to
            // the hang (the same seed is the same run). This costs a second --timeout for each hung run.
            const first = outcome;
            const again = await slot.execute(job.item, "diagnose");
            if (again.type === "cancelled") return;
            outcome =
              again.type === "stopped" && again.kind === "timeout"
                ? { ...first, trace: again.trace, output: again.output }
                : { ...first, trace: null, note: describeRerun(again) };
          }
          const saved = outcome.type === "done" ? outcome : recordStopped(slotIndex, job.item, outcome);
          const record = saved.record;
          finished += 1;
          if (record.ok && keptPassing >= maxPassingKept) omittedPassing += 1;
          else {
            if (record.ok) keptPassing += 1;
            results.push({ index: job.index, record });
          }
          tally.add(record);
          journalRun(record);
          progress.result(record, record.log === null || record.ok ? null : join(options.outDir, record.log));
          options.onResult?.(record);
          if (!record.ok && options.failFast && !failFastStopped) {
            failFastStopped = true;
            stopAll();
          }
          if (saved.saveError !== undefined && saveError === null) {
            // Out of disk (or the folder went away): every later failure would be lost the same way.
            saveError = saved.saveError;
            failFastStopped = true;
            stopAll();
          }
        }
      };
      await Promise.all(slots.slice(0, Math.min(slots.length, list.length)).map((s, i) => slotLoop(s, i)));
      notRun += list.length - finished;
      if (!options.loop) break;
      if (!interrupted && !failFastStopped) {
        progress.print(style.dim(`round ${round + 1} done: ${formatTotalsLine(tally)} so far\n`));
      }
    }
    if (options.verifyReplays !== false && saveError === null) {
      replayChecks.push(...(await verifyReplays(results.map((r) => r.record))));
    }
    if (options.shrink !== undefined && saveError === null && !interrupted) {
      shrinks = await shrinkFailureGroups(results.map((r) => r.record), {
        outDir: options.outDir,
        impl: options.impl,
        strict: options.strict === true,
        budgetSec: options.shrink.budgetSec,
        parallel: slots.length,
        timeoutSec: options.timeoutSec,
        maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
        traceCapBytes: options.traceCapBytes ?? DEFAULT_TRACE_CAP_BYTES,
        runnerModule: options.runnerModule ?? null,
        print: (text) => progress.print(text),
        style,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await Promise.all(slots.map((s) => s.close()));
    progress.stop();
    removeSpillDir(spillDir);
  }

  const records = results.sort((a, b) => a.index - b.index).map((r) => r.record);
  const elapsedMs = performance.now() - started;
  // An interrupted batch always keeps its folder and report so that it can be resumed; a batch that
  // saved nothing there removes the folder it made.
  const outDirUsed = folder.keep(interrupted || failFastStopped) ? options.outDir : null;
  const report: BatchReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    impl: options.impl,
    shard: options.shard,
    outDir: outDirUsed,
    workers: slots.length,
    startedAt,
    elapsedMs: Math.round(elapsedMs),
    interrupted: interrupted || failFastStopped,
    runs: records,
    omittedPassingRuns: omittedPassing,
    replayChecks,
    ...(saveError !== null ? { error: `stopped: cannot save run artifacts: ${saveError}` } : {}),
    batch: meta,
    ...(shrinks !== null ? { shrinks } : {}),
  };
  const exitCode = interrupted ? EXIT.INTERRUPTED : tally.failed > 0 || saveError !== null ? EXIT.FAIL : EXIT.OK;
  const folderReport = finishFolder(folder, outDirUsed === null ? null : report);
  return { records, tally, interrupted, failFastStopped, elapsedMs, notRun, resumed, report, replayChecks, saveError, exitCode, folderReport };
}

/** Why a hung run's traced re-run has no trace to offer: it did not hang again. */
function describeRerun(again: Exclude<SlotOutcome, { type: "cancelled" }>): string {
  const how =
    again.type === "done"
      ? again.record.ok
        ? "passed"
        : `failed (${again.record.message ?? "no message"})`
      : `was stopped otherwise (${again.message})`;
  return `its traced re-run, to save the trace up to the hang, ${how} instead: the Raft is not deterministic, and no trace is saved`;
}

function formatMiB(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function runKey(test: string, seed: number): string {
  return `${test}\u0000${seed}`;
}
