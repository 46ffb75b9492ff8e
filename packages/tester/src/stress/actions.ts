// What `raftlab stress` does once its arguments are parsed, and what `raftlab triage` / `raftlab merge`
// do when given a stress report instead of a batch report.

import { existsSync, statSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import { defaultOutDir, defaultWorkers } from "../runs/defaults.js";
import { checkMissingShards, findMissingShards, mergeRuns, type MergeFlags } from "../runs/merge.js";
import { writeReportFile } from "../runs/files.js";
import { listenForInterrupts } from "../runs/interrupts.js";
import { ReportError } from "../runs/report.js";
import type { Shard } from "../runs/runlist.js";
import { colorEnabled, UsageError } from "@raftlab/raft/terminal";
import type { ReportKind } from "../runs/kinds.js";
import { prepareCommand, rerunEnv } from "./command.js";
import { formatStressJUnit, isStressReportFile, readStressReport, serialiseStressReport, type StressReport } from "./report.js";
import { DEFAULT_MAX_OUTPUT_MB, DEFAULT_TIMEOUT_SEC, runStress, type StressOptions } from "./stress.js";
import { formatStressSummary } from "./summary.js";
import { writeStressHtml } from "./html.js";

export interface StressFlags {
  iterations: number;
  workers?: number;
  timeout?: number;
  failFast?: boolean;
  loop?: boolean;
  maxFailures?: number;
  out?: string;
  archive?: boolean;
  /** --keep-all: the old name of --archive. */
  keepAll?: boolean;
  json?: string;
  junit?: string;
  shard?: Shard;
  splitTests?: boolean;
  maxOutput?: number;
  quiet?: boolean;
}

/** Whether `name` can be run: a path that exists, or a name found on PATH. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const isFile = (p: string): boolean => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes("/")) return isFile(name);
  return (env["PATH"] ?? "").split(delimiter).some((dir) => dir !== "" && isFile(join(dir, name)));
}

export async function stressAction(argv: readonly string[], flags: StressFlags): Promise<number> {
  if (argv.length === 0) throw new UsageError("give the command to stress after --, e.g. raftlab stress -n 100 -- go test -run 3A");
  const program = argv[0] ?? "";
  if (!findExecutable(program)) throw new UsageError(`command not found: ${program}`);
  if (flags.maxFailures !== undefined && flags.failFast === true)
    throw new UsageError("--fail-fast and --max-failures: give one (--fail-fast is --max-failures 1)");
  const command = prepareCommand(argv, flags.splitTests === true);
  const interrupts = listenForInterrupts({ stopping: "stopping: killing running iterations, writing the reports", sigterm: false });
  const colour = colorEnabled(process.stdout) && colorEnabled(process.stderr);
  const options: StressOptions = {
    command,
    iterations: flags.iterations,
    workers: flags.workers ?? defaultWorkers(),
    timeoutSec: flags.timeout ?? DEFAULT_TIMEOUT_SEC,
    failFast: flags.failFast === true,
    loop: flags.loop === true,
    maxFailures: flags.maxFailures ?? null,
    outDir: flags.out ?? defaultOutDir(),
    keepAll: flags.archive === true || flags.keepAll === true,
    jsonPath: flags.json ?? null,
    junitPath: flags.junit ?? null,
    shard: flags.shard ?? null,
    maxOutputBytes: Math.round((flags.maxOutput ?? DEFAULT_MAX_OUTPUT_MB) * 1024 * 1024),
    cwd: process.cwd(),
    env: process.env,
    rerunEnv: rerunEnv(process.env),
    colour,
    quiet: flags.quiet === true,
    signal: interrupts.signal,
  };
  try {
    const outcome = await runStress(options);
    const written = [
      ...(outcome.folderReport !== null ? [outcome.folderReport] : []),
      ...writeStressReports(outcome.report, options.jsonPath, options.junitPath, false),
    ];
    const lines = formatStressSummary(outcome.report, colour, {
      notes: command.notes,
      written,
      notRun: outcome.notRun,
      stoppedEarly: outcome.stoppedEarly,
    });
    process.stdout.write(`${lines.join("\n")}\n`);
    return outcome.exitCode;
  } finally {
    interrupts.release();
  }
}

/**
 * Writes the --json and --junit reports, and DIR/report.json when the output folder exists and
 * `inFolder` (runStress writes its own before it unlocks the folder), each atomically (atomic.ts).
 */
export function writeStressReports(report: StressReport, jsonPath: string | null, junitPath: string | null, inFolder = true): string[] {
  const written: string[] = [];
  const json = serialiseStressReport(report);
  if (report.outDir !== null && inFolder) {
    const p = join(report.outDir, "report.json");
    writeReportFile(p, json);
    written.push(p);
  }
  // report.html beside the folder's report.json, whoever wrote that (runStress writes it under its lock).
  if (report.outDir !== null) written.push(writeStressHtml(report.outDir, report).report);
  if (jsonPath !== null) {
    writeReportFile(jsonPath, json);
    written.push(jsonPath);
  }
  if (junitPath !== null) {
    writeReportFile(junitPath, formatStressJUnit(report));
    written.push(junitPath);
  }
  return written;
}

/** The stress report a triage path names: a stress report file, or a folder holding one; else null. */
export function stressReportPath(path: string): string | null {
  try {
    const file = statSync(path).isDirectory() ? join(path, "report.json") : path;
    return existsSync(file) && isStressReportFile(file) ? file : null;
  } catch {
    return null;
  }
}

/** A stress run's saved iteration output, `DIR/<iteration>.log`, when DIR holds the run's stress report. */
export function stressIterationLog(path: string): { report: string; folder: string; iteration: number } | null {
  const m = /^(\d+)\.log$/.exec(basename(path));
  if (m === null) return null;
  const folder = dirname(path);
  const report = join(folder, "report.json");
  return existsSync(report) && isStressReportFile(report) ? { report, folder, iteration: Number(m[1]) } : null;
}

/** A stress report cut down to one iteration's results. */
function oneIteration(report: StressReport, iteration: number, log: string): StressReport {
  const runs = report.runs.filter((r) => r.seed === iteration);
  if (runs.length === 0) throw new ReportError(`${log}: iteration ${iteration} is not in the stress report beside it`);
  const wallMs = runs.reduce((n, r) => n + r.wallMs, 0);
  return {
    ...report,
    shard: null,
    workers: 1,
    elapsedMs: report.splitTests ? wallMs : Math.max(...runs.map((r) => r.wallMs)),
    interrupted: false,
    iterations: 1,
    failedIterations: runs.some((r) => !r.ok) ? 1 : 0,
    cutOutputs: report.cutOutputs.filter((c) => c.iteration === iteration),
    killedProcesses: report.killedProcesses.filter((k) => k.iteration === iteration),
    runs,
    omittedPassingRuns: 0,
  };
}

/**
 * `raftlab triage` of a stress report or folder: the summary again; with `iteration` (triage of one
 * saved `N.log`), the summary of that iteration alone. Returns the exit code.
 */
export function stressTriageAction(
  reportPath: string,
  folder: string | null,
  iteration?: { readonly number: number; readonly log: string },
  flags: { readonly html?: boolean } = {},
): number {
  const whole = readStressReport(reportPath);
  const report = iteration === undefined ? whole : oneIteration(whole, iteration.number, iteration.log);
  // A folder moved since the run: its logs are where the report is now.
  const located: StressReport = folder !== null ? { ...report, outDir: folder } : report;
  process.stdout.write(
    iteration === undefined
      ? `triage of ${reportPath}: ${report.iterations} iterations\n`
      : `triage of ${iteration.log}: iteration ${iteration.number} of the stress run in ${reportPath}\n`,
  );
  const written: string[] = [];
  if (flags.html === true) {
    if (located.outDir === null) throw new UsageError(`--html writes into the stress output folder, and ${reportPath} names none: triage the folder instead`);
    // The whole run's page, also when one iteration is triaged: report.html always covers the folder.
    written.push(writeStressHtml(located.outDir, { ...whole, outDir: located.outDir }).report);
  }
  const lines = formatStressSummary(located, colorEnabled(process.stdout), { written });
  process.stdout.write(`${lines.join("\n")}\n`);
  return located.runs.some((r) => !r.ok) ? 1 : 0;
}

/** Joins stress reports (typically shards 1/N..N/N of one run) into one. */
export function mergeStressReports(reports: readonly { readonly name: string; readonly report: StressReport }[]): {
  report: StressReport;
  duplicates: number;
  missingShards: number[];
} {
  const first = reports[0]?.report;
  if (first === undefined) throw new ReportError("merge needs at least one report");
  const commands = new Set(reports.map((r) => JSON.stringify(r.report.command)));
  if (commands.size > 1) throw new ReportError("the reports stressed different commands; merge only reports of one");
  const { runs, duplicates } = mergeRuns(reports.map((r) => r.report.runs));
  const outDirs = new Set(reports.map((r) => r.report.outDir));
  const report: StressReport = {
    ...first,
    shard: null,
    outDir: outDirs.size === 1 ? first.outDir : null,
    workers: reports.reduce((n, r) => n + r.report.workers, 0),
    startedAt: reports.map((r) => r.report.startedAt).sort()[0] ?? "",
    elapsedMs: Math.max(...reports.map((r) => r.report.elapsedMs)),
    interrupted: reports.some((r) => r.report.interrupted),
    iterations: reports.reduce((n, r) => n + r.report.iterations, 0),
    failedIterations: reports.reduce((n, r) => n + r.report.failedIterations, 0),
    cutOutputs: reports.flatMap((r) => r.report.cutOutputs).sort((a, b) => a.iteration - b.iteration),
    killedProcesses: reports.flatMap((r) => r.report.killedProcesses).sort((a, b) => a.iteration - b.iteration),
    runs,
    omittedPassingRuns: reports.reduce((n, r) => n + r.report.omittedPassingRuns, 0),
  };
  return { report, duplicates, missingShards: findMissingShards(reports.map((r) => r.report.shard)) };
}

export function stressMergeAction(files: readonly string[], flags: MergeFlags): number {
  const reports = files.map((name) => ({ name, report: readStressReport(name) }));
  const merged = mergeStressReports(reports);
  checkMissingShards(
    reports.map((r) => r.report.shard),
    flags,
  );
  if (merged.duplicates > 0)
    process.stderr.write(
      `raftlab merge: warning: ${merged.duplicates} results appear in more than one report; kept one of each (a failing one over a passing one)\n`,
    );
  const written = writeStressReports({ ...merged.report, outDir: null }, flags.json ?? null, flags.junit ?? null);
  process.stdout.write(`merged ${files.length} stress report${files.length === 1 ? "" : "s"}: ${merged.report.iterations} iterations\n`);
  const lines = formatStressSummary(merged.report, colorEnabled(process.stdout), { written });
  process.stdout.write(`${lines.join("\n")}\n`);
  return merged.report.runs.some((r) => !r.ok) ? 1 : 0;
}

/** Stress reports in `raftlab triage` and `raftlab merge` (runs/kinds.ts). */
export const STRESS_REPORT_KIND: ReportKind = {
  name: "stress",
  triage(path, flags) {
    // A `raftlab stress` folder or report has its own summary (re-run commands, not seed replays).
    const stressReport = stressReportPath(path);
    if (stressReport !== null) return stressTriageAction(stressReport, stressReport === path ? null : path, undefined, flags);
    // One saved iteration output of a stress run (`DIR/7.log`): that iteration, from DIR's report.
    const iterationLog = stressIterationLog(path);
    if (iterationLog !== null) return stressTriageAction(iterationLog.report, iterationLog.folder, { number: iterationLog.iteration, log: path }, flags);
    return null;
  },
  isReport: (file) => stressReportPath(file) === file,
  merge: (files, flags) => stressMergeAction(files, flags),
};
