// The stress runner: runs a command many times over a few parallel workers, reads each iteration's
// output into per-test results, saves failing iterations' output, shows progress, and stops on
// --fail-fast, --max-failures, Ctrl-C or the end of the iterations. The batch runner's pieces do the
// rest: its progress display, run-list sharding and --loop rounds, tallies, and report folder checks.

import { join } from "node:path";
import { saveErrorText } from "../runs/artifacts.js";
import { checkWritable } from "../runs/files.js";
import { OutputFolder } from "../runs/folder.js";
import { ReportError } from "../runs/report.js";
import { createProgress, type ProgressStream, type ProgressWords } from "../runs/progress.js";
import { loopRoundIterations, shardRunList, type Shard } from "../runs/runlist.js";
import { BatchTally } from "../runs/stats.js";
import { EXIT, makeStyle } from "@raftlab/raft/terminal";
import { formatTotalsLine } from "../runs/table.js";
import { commandLine, type StressCommand } from "./command.js";
import { GoTestParser } from "./gotest.js";
import { runIteration } from "./process.js";
import { serialiseStressReport, STRESS_REPORT_FORMAT, STRESS_REPORT_VERSION, type StressReport } from "./report.js";
import { iterationResults, stressRun, type StressRun } from "./results.js";

/** --loop rounds double, as the batch runner's do: each round short, so Ctrl-C loses little. */
export const LOOP_GROWTH = 2;
export const DEFAULT_TIMEOUT_SEC = 600;
export const DEFAULT_MAX_OUTPUT_MB = 32;
/** Passing results listed in the report; beyond this they are only counted. */
export const MAX_PASSING_RUNS_KEPT = 200_000;
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
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const colour = options.colour ?? false;
  const style = makeStyle(colour);
  const label = commandLabel(options.command.original);
  const words: ProgressWords = { runs: "iterations", name: (r) => `iteration ${r.seed}` };
  const progress = createProgress(stdout, stderr, colour, options.quiet === true, words);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const tally = new BatchTally();
  const runs: { index: number; run: StressRun }[] = [];
  const cutOutputs: { iteration: number; droppedBytes: number }[] = [];
  const killedProcesses: { iteration: number; killed: number }[] = [];
  let keptPassing = 0;
  let omittedPassing = 0;
  let iterationsDone = 0;
  let failedIterations = 0;
  let interrupted = options.signal?.aborted === true;
  let stoppedEarly = false;
  let notRun = 0;
  let nextIteration = 1;
  const stopController = new AbortController();
  const onAbort = (): void => {
    interrupted = true;
    stopController.abort();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const saveOutput = (iteration: number, text: string, dropped: number): string => {
    const name = `${iteration}.log`;
    const note =
      dropped > 0
        ? `… raftlab stress: the first ${dropped} bytes of this iteration's output were cut; the last ${Math.round(options.maxOutputBytes / 1048576)} MB (--max-output) are kept below\n`
        : "";
    folder.write(name, note + text);
    return name;
  };

  const runOne = async (iteration: number, index: number): Promise<boolean> => {
    const parser = new GoTestParser();
    const outcome = await runIteration(
      {
        argv: options.command.argv,
        cwd: options.cwd,
        env: options.env,
        iteration,
        timeoutMs: options.timeoutSec * 1000,
        maxOutputBytes: options.maxOutputBytes,
        onLine: (line) => parser.line(line),
      },
      stopController.signal,
    );
    if (outcome.killedProcesses > 0) killedProcesses.push({ iteration, killed: outcome.killedProcesses });
    if (outcome.cancelled && !outcome.timedOut) return false;
    const probe = iterationResults(parser, outcome, { iteration, label, splitTests: options.command.splitTests, timeoutSec: options.timeoutSec, log: null, nowMs: performance.now() });
    let log: string | null = null;
    if (!probe.ok || options.keepAll) {
      const { text, dropped } = outcome.output.text(options.command.splitTests);
      log = saveOutput(iteration, text, dropped);
      if (dropped > 0) cutOutputs.push({ iteration, droppedBytes: dropped });
    }
    const results = log === null ? probe.runs : probe.runs.map((r) => ({ ...r, log }));
    iterationsDone += 1;
    if (!probe.ok) failedIterations += 1;
    for (const r of results) {
      tally.add(r);
      if (r.ok && keptPassing >= MAX_PASSING_RUNS_KEPT) omittedPassing += 1;
      else {
        if (r.ok) keptPassing += 1;
        runs.push({ index, run: r });
      }
    }
    // Progress counts iterations, all under the command's label; a FAIL line names the failing test.
    const first = results.find((r) => !r.ok);
    const shown: StressRun =
      first === undefined
        ? stressRun({ iteration, log }, label, outcome.wallMs, null)
        : { ...first, test: label, message: first.test === label ? first.message : `${first.test}: ${first.message ?? ""}` };
    progress.result(shown, log === null || first === undefined ? null : join(options.outDir, log));
    options.onIteration?.(results);
    return true;
  };

  try {
    for (let round = 0; !interrupted && !stoppedEarly; round++) {
      const count = options.loop ? loopRoundIterations(options.iterations, LOOP_GROWTH, round, 1) : options.iterations;
      let list = Array.from({ length: count }, (_, i) => nextIteration + i);
      nextIteration += count;
      if (options.shard !== null) list = shardRunList(list, options.shard);
      progress.startRound(round, new Map([[label, list.length]]));
      let next = 0;
      let finished = 0;
      const worker = async (): Promise<void> => {
        while (!interrupted && !stoppedEarly) {
          const i = next;
          const iteration = list[i];
          if (iteration === undefined) return;
          next += 1;
          if (!(await runOne(iteration, iteration))) return;
          finished += 1;
          const limit = options.failFast ? 1 : options.maxFailures;
          if (limit !== null && failedIterations >= limit && !stoppedEarly) {
            stoppedEarly = true;
            stopController.abort();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.workers, list.length) }, () => worker()));
      notRun += list.length - finished;
      if (!options.loop) break;
      if (!interrupted && !stoppedEarly) progress.print(style.dim(`round ${round + 1} done: ${formatTotalsLine(tally)} so far\n`));
    }
  } catch (e) {
    folder.close(false);
    throw e;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    progress.stop();
  }
  // A run that saved nothing and was not stopped removes the folder it made, as before.
  const keep = interrupted || stoppedEarly || failedIterations > 0 || options.keepAll || !folder.madeIt;
  if (!keep) folder.close(true);
  const sorted = runs.sort((a, b) => a.index - b.index).map((r) => r.run);
  const report: StressReport = {
    format: STRESS_REPORT_FORMAT,
    version: STRESS_REPORT_VERSION,
    command: options.command.original,
    ran: options.command.argv,
    cwd: options.cwd,
    env: options.rerunEnv,
    splitTests: options.command.splitTests,
    shard: options.shard,
    outDir: keep ? options.outDir : null,
    workers: options.workers,
    startedAt,
    elapsedMs: Math.round(performance.now() - started),
    interrupted: interrupted || stoppedEarly,
    iterations: iterationsDone,
    failedIterations,
    cutOutputs: cutOutputs.sort((a, b) => a.iteration - b.iteration),
    killedProcesses: killedProcesses.sort((a, b) => a.iteration - b.iteration),
    runs: sorted,
    omittedPassingRuns: omittedPassing,
  };
  const exitCode = interrupted ? EXIT.INTERRUPTED : tally.failed > 0 ? EXIT.FAIL : EXIT.OK;
  let folderReport: string | null = null;
  if (keep) {
    try {
      folder.write("report.json", serialiseStressReport(report), true);
      folderReport = join(options.outDir, "report.json");
    } catch (e) {
      throw new ReportError(`cannot write ${join(options.outDir, "report.json")}: ${(e as NodeJS.ErrnoException).code ?? saveErrorText(e)}`);
    } finally {
      folder.close(false);
    }
  }
  return { report, tally, interrupted, stoppedEarly, notRun, exitCode, folderReport };
}
