// The stress runner: runs a command many times. The shared run loop (runs/loop.ts) takes the
// iterations over a few parallel slots and stops on --fail-fast, --max-failures, Ctrl-C or the end of
// the iterations; iteration.ts executes one (reads its output into per-test results, saves a failing
// one's output, shows progress); this file sets them up and builds the report.

import { join } from "node:path";
import { makeStyle } from "@raftlab/raft/terminal";
import { saveErrorText } from "../runs/artifacts.js";
import { checkWritable } from "../runs/files.js";
import { OutputFolder } from "../runs/folder.js";
import { ReportError } from "../runs/report.js";
import { MAX_PASSING_RUNS_KEPT, RunLoop } from "../runs/loop.js";
import { createProgress, type ProgressStream, type ProgressWords } from "../runs/progress.js";
import type { Shard } from "../runs/runlist.js";
import type { BatchTally } from "../runs/stats.js";
import { commandLine, type StressCommand } from "./command.js";
import { StressIterations } from "./iteration.js";
import { serialiseStressReport, STRESS_REPORT_FORMAT, STRESS_REPORT_VERSION, type StressReport } from "./report.js";
import type { StressRun } from "./results.js";

export { LOOP_GROWTH } from "./iteration.js";
export const DEFAULT_TIMEOUT_SEC = 600;
export const DEFAULT_MAX_OUTPUT_MB = 32;
export { MAX_PASSING_RUNS_KEPT };
/** Longest label (the command) shown in progress and as the whole-iteration test name. */
const LABEL_CHARS = 40;

export interface StressOptions {
  readonly command: StressCommand;
  readonly iterations: number;
  readonly workers: number;
  readonly timeoutSec: number;
  readonly failFast: boolean;
  readonly loop: boolean;
  /** Stop once this many iterations have failed (null: no limit). */
  readonly maxFailures: number | null;
  readonly outDir: string;
  readonly keepAll: boolean;
  readonly jsonPath: string | null;
  readonly junitPath: string | null;
  readonly shard: Shard | null;
  readonly maxOutputBytes: number;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Environment variables to repeat in re-run commands. */
  readonly rerunEnv: Readonly<Record<string, string>>;
  readonly stdout?: ProgressStream;
  readonly stderr?: ProgressStream;
  readonly colour?: boolean;
  readonly quiet?: boolean;
  readonly signal?: AbortSignal;
  /** Called with each finished iteration's results. */
  readonly onIteration?: (runs: readonly StressRun[]) => void;
}

export interface StressOutcome {
  readonly report: StressReport;
  readonly tally: BatchTally;
  readonly interrupted: boolean;
  /** Stopped by --fail-fast or --max-failures. */
  readonly stoppedEarly: boolean;
  readonly notRun: number;
  /** 0 all passed, 1 some iteration failed, 130 interrupted. */
  readonly exitCode: number;
  /** The report.json written into the output folder, or null when the folder was not kept. */
  readonly folderReport: string | null;
}

/** The command shortened to a label: `go test -count=1 -v -run 3A`. */
export function commandLabel(argv: readonly string[]): string {
  const line = commandLine(argv);
  return line.length <= LABEL_CHARS ? line : `${line.slice(0, LABEL_CHARS - 1)}…`;
}

export async function runStress(options: StressOptions): Promise<StressOutcome> {
  checkWritable(options);
  // Made and locked for the whole run: one writer per folder (lock.ts).
  const folder = OutputFolder.open(options.outDir, "raftlab stress");
  const colour = options.colour ?? false;
  const label = commandLabel(options.command.original);
  const words: ProgressWords = { runs: "iterations", name: (r) => `iteration ${r.seed}` };
  const progress = createProgress(options.stdout ?? process.stdout, options.stderr ?? process.stderr, colour, options.quiet === true, words);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loop = new RunLoop<StressRun>({
    slots: options.workers,
    loop: options.loop,
    maxFailures: options.failFast ? 1 : options.maxFailures,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    maxPassingKept: MAX_PASSING_RUNS_KEPT,
    progress,
    style: makeStyle(colour),
  });
  const iterations = new StressIterations(options, label, loop, progress, folder);
  try {
    await loop.drive(iterations);
  } catch (e) {
    folder.close(false);
    throw e;
  } finally {
    loop.close();
    progress.stop();
  }
  // A run that saved nothing and was not stopped removes the folder it made, as before.
  const keep = loop.stopping || iterations.failedIterations > 0 || options.keepAll || !folder.madeIt;
  if (!keep) folder.close(true);
  const report = stressReport(options, loop, iterations, { started, startedAt, keep });
  const folderReport = keep ? writeFolderReport(folder, report) : null;
  const exitCode = loop.exitCode();
  return { report, tally: loop.results.tally, interrupted: loop.interrupted, stoppedEarly: loop.stoppedEarly, notRun: loop.notRun, exitCode, folderReport };
}

/** Writes DIR/report.json atomically while the folder is still locked, then gives up the lock. */
function writeFolderReport(folder: OutputFolder, report: StressReport): string {
  const path = join(folder.dir, "report.json");
  try {
    folder.write("report.json", serialiseStressReport(report), true);
    return path;
  } catch (e) {
    throw new ReportError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? saveErrorText(e)}`);
  } finally {
    folder.close(false);
  }
}

interface StressTimes {
  readonly started: number;
  readonly startedAt: string;
  /** Whether the output folder stays (report.outDir), or was removed. */
  readonly keep: boolean;
}

function stressReport(options: StressOptions, loop: RunLoop<StressRun>, iterations: StressIterations, time: StressTimes): StressReport {
  return {
    format: STRESS_REPORT_FORMAT,
    version: STRESS_REPORT_VERSION,
    command: options.command.original,
    ran: options.command.argv,
    cwd: options.cwd,
    env: options.rerunEnv,
    splitTests: options.command.splitTests,
    shard: options.shard,
    outDir: time.keep ? options.outDir : null,
    workers: options.workers,
    startedAt: time.startedAt,
    elapsedMs: Math.round(performance.now() - time.started),
    interrupted: loop.stopping,
    iterations: iterations.iterationsDone,
    failedIterations: iterations.failedIterations,
    cutOutputs: [...iterations.cutOutputs].sort((a, b) => a.iteration - b.iteration),
    killedProcesses: [...iterations.killedProcesses].sort((a, b) => a.iteration - b.iteration),
    runs: loop.results.inListOrder(),
    omittedPassingRuns: loop.results.omittedPassing,
  };
}
