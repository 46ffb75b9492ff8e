// What `batch`, `triage` and `merge` do once their arguments are parsed (commands.ts parses them).

import { escapeControls } from "@raftlab/raft";
import { colorEnabled, EXIT, makeStyle, UsageError } from "@raftlab/raft/terminal";
import { closeSync, openSync, readSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { clampWorkers, defaultOutDir, defaultWorkers, DEFAULT_GROWTH, runBatch, type BatchOptions, type BatchOutcome } from "./batch.js";
import { loadRunner } from "./contract.js";
import { probeImpl } from "./pool.js";
import { DEFAULT_SHRINK_BUDGET_SEC } from "./shrink-groups.js";
import { loadResumable, loadSavedResults } from "./load.js";
import { CONFORMANCE_TEST, isConformancePattern } from "../conform/as-test.js";
import { checkMissingShards, mergeReports, type MergeFlags } from "../runs/merge.js";
import { writeBatchHtml } from "./html.js";
import { formatBatchSummary, writeBatchReports, writeFailedBatchReports } from "./output.js";
import { writeReportFile } from "../runs/files.js";
import { listenForInterrupts } from "../runs/interrupts.js";
import type { RunRecord } from "../runs/record.js";
import type { ShrunkExample } from "../runs/shrunk.js";
import { formatJUnit, readLogTail, readReport, ReportError, serialiseReport } from "../runs/report.js";
import type { Shard } from "../runs/runlist.js";
import { BatchTally } from "../runs/stats.js";
import { formatSummaryTable, formatTotalsLine } from "../runs/table.js";
import { formatTriage, groupFailures } from "../runs/triage.js";
import type { ReplayCheck } from "./verify.js";
import type { ForeignReport, ReportKind, TriageFlags } from "../runs/kinds.js";

export interface BatchFlags {
  iterations: number;
  workers?: number;
  sequential?: boolean;
  out?: string;
  archive?: boolean;
  /** --keep-all: stress's old name for --archive. */
  keepAll?: boolean;
  seedStart: number;
  timeout: number;
  json?: string;
  junit?: string;
  shard?: Shard;
  loop?: boolean;
  growth?: number;
  failFast?: boolean;
  impl?: string;
  maxMemory: number;
  traceCap: number;
  resume?: string;
  traceEveryRun?: boolean;
  quiet?: boolean;
  verify: boolean;
  strict?: boolean;
  shrink?: boolean;
  shrinkBudget?: number;
}

/** Resolves patterns to test names (all tests when none), in the tester's order, without repeats. */
async function resolveTests(patterns: readonly string[], runnerModule: string | null): Promise<string[]> {
  const runner = await loadRunner(runnerModule ?? undefined);
  // `conform` (packages/tester's runner only) adds the conformance cases as one more test, last.
  const conform = runnerModule === null && patterns.some(isConformancePattern);
  const labPatterns = conform ? patterns.filter((p) => !isConformancePattern(p)) : patterns;
  const specs = labPatterns.length === 0 ? (conform ? [] : runner.TESTS) : runner.matchTests(labPatterns);
  const names: string[] = [];
  for (const s of specs) if (!names.includes(s.name)) names.push(s.name);
  if (conform) names.push(CONFORMANCE_TEST);
  if (names.length === 0) throw new UsageError(`no tests match ${patterns.join(" ")}`);
  return names;
}

export async function batchAction(patterns: string[], flags: BatchFlags, runnerModule: string | null): Promise<void> {
  if (flags.growth !== undefined && flags.loop !== true) throw new UsageError("--growth only makes sense with --loop");
  if (flags.shrinkBudget !== undefined && flags.shrink !== true) throw new UsageError("--shrink-budget only makes sense with --shrink");
  const tests = await resolveTests(patterns, runnerModule);
  const implPath = await probeImplFlag(flags, runnerModule);
  const resumed = resumeFlag(flags, implPath);
  const colour = colorEnabled(process.stdout);
  const interrupts = listenForInterrupts({ stopping: "stopping: finishing the report", sigterm: true });
  try {
    const options = batchOptionsFromFlags(flags, { tests, implPath, runnerModule, colour, signal: interrupts.signal, ...resumed });
    const outcome = await runBatch(options);
    printBatchOutcome(options, outcome, flags.impl ?? null, colour);
    process.exitCode = interrupts.terminated && outcome.interrupted ? EXIT.TERMINATED : outcome.exitCode;
  } finally {
    interrupts.release();
  }
}

/** --impl, resolved, after loading it once in a worker thread as the runs will (null: raftlab's Raft). */
async function probeImplFlag(flags: BatchFlags, runnerModule: string | null): Promise<string | null> {
  if (flags.impl === undefined) return null;
  const implPath = resolve(flags.impl);
  try {
    // In a worker thread, as the runs will: the module's code never runs in this thread.
    await probeImpl(
      {
        impl: implPath,
        outDir: tmpdir(),
        archive: false,
        traceEveryRun: false,
        traceCapBytes: 0,
        outputCapLines: 0,
        spillPath: join(tmpdir(), "raftlab-probe-unused.jsonl"),
        runnerModule,
      },
      flags.maxMemory,
    );
  } catch (e) {
    const reason = `--impl ${flags.impl}: ${(e as Error).message.split("\n", 1)[0]}`;
    // CI reads the reports: they must say the batch failed, not be missing (or look clean).
    writeFailedBatchReports(flags, implPath, `the batch could not start: ${reason}`);
    throw new UsageError(reason);
  }
  return implPath;
}

/** --resume: the earlier runs, and the folder to keep adding to (unless --out says otherwise). */
function resumeFlag(flags: BatchFlags, implPath: string | null): { previousRuns: readonly RunRecord[]; outDir: string | null } {
  const outDir = flags.out ?? null;
  if (flags.resume === undefined) return { previousRuns: [], outDir };
  // A report, or a batch folder: its report.json, or the journal of a batch that was killed.
  const prior = loadResumable(flags.resume);
  if (prior.impl !== implPath) {
    throw new UsageError(`--resume ${flags.resume} ran ${prior.impl ?? "raftlab's Raft"}, not ${implPath ?? "raftlab's Raft"}`);
  }
  if (prior.note !== null) process.stderr.write(`raftlab batch: --resume ${escapeControls(flags.resume)}: ${escapeControls(prior.note)}\n`);
  // Keep adding to the same folder, so triage of it sees every saved run.
  return { previousRuns: prior.runs, outDir: outDir ?? prior.outDir };
}

interface BatchInputs {
  readonly tests: readonly string[];
  readonly implPath: string | null;
  readonly runnerModule: string | null;
  readonly colour: boolean;
  readonly signal: AbortSignal;
  readonly previousRuns: readonly RunRecord[];
  readonly outDir: string | null;
}

function batchOptionsFromFlags(flags: BatchFlags, inputs: BatchInputs): BatchOptions {
  const workers = clampWorkers(flags.workers ?? defaultWorkers());
  if (workers.note !== null) process.stderr.write(`raftlab batch: ${workers.note}\n`);
  return {
    tests: inputs.tests,
    iterations: flags.iterations,
    workers: workers.workers,
    sequential: flags.sequential === true,
    outDir: inputs.outDir ?? defaultOutDir(),
    archive: flags.archive === true || flags.keepAll === true,
    seedStart: flags.seedStart,
    timeoutSec: flags.timeout,
    jsonPath: flags.json ?? null,
    junitPath: flags.junit ?? null,
    shard: flags.shard ?? null,
    loop: flags.loop === true,
    growth: flags.growth ?? DEFAULT_GROWTH,
    failFast: flags.failFast === true,
    impl: inputs.implPath,
    maxHeapMb: flags.maxMemory,
    traceCapBytes: Math.round(flags.traceCap * 1024 * 1024),
    strict: flags.strict === true,
    // Progress writes to both streams (panel on stderr, FAIL lines on stdout): colour only if both are TTYs.
    colour: inputs.colour && colorEnabled(process.stderr),
    quiet: flags.quiet === true,
    verifyReplays: flags.verify,
    traceEveryRun: flags.traceEveryRun === true,
    previousRuns: inputs.previousRuns,
    signal: inputs.signal,
    runnerModule: inputs.runnerModule,
    ...(flags.shrink === true ? { shrink: { budgetSec: flags.shrinkBudget ?? DEFAULT_SHRINK_BUDGET_SEC } } : {}),
  };
}

/** Writes the reports and prints the summary (and, on stderr, why the batch stopped). */
function printBatchOutcome(options: BatchOptions, outcome: BatchOutcome, impl: string | null, colour: boolean): void {
  const { written, unwritten } = writeBatchReports(options, outcome);
  const resumeFrom = outcome.report.outDir === null ? options.jsonPath : join(outcome.report.outDir, "report.json");
  const resumeCommand = resumeFrom === null ? undefined : resumeCommandLine(process.argv.slice(2), resumeFrom);
  const lines = formatBatchSummary(outcome, { impl, colour, written, unwritten, ...(resumeCommand !== undefined ? { resumeCommand } : {}) });
  process.stdout.write(`${lines.join("\n")}\n`);
  // The summary went to stdout; a script watching stderr still learns why the batch stopped.
  if (outcome.saveError !== null) process.stderr.write(`raftlab batch: stopped: cannot save run artifacts: ${escapeControls(outcome.saveError)}\n`);
  for (const u of unwritten) process.stderr.write(`raftlab batch: ${escapeControls(u)}\n`);
}

/** `raftlab <the same arguments> --resume <report>`, replacing an earlier --resume. */
export function resumeCommandLine(argv: readonly string[], report: string): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--resume") {
      i += 1;
      continue;
    }
    if (a.startsWith("--resume=")) continue;
    args.push(a);
  }
  const quote = (s: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return ["raftlab", ...args, "--resume", report].map(quote).join(" ");
}

function printResults(
  runs: readonly RunRecord[],
  impl: string | null,
  outDir: string | null,
  header: string,
  notes: readonly string[] = [],
  checks: readonly ReplayCheck[] = [],
  strict = false,
  shrinks: readonly ShrunkExample[] = [],
): number {
  const colour = colorEnabled(process.stdout);
  const style = makeStyle(colour);
  const tally = new BatchTally();
  for (const r of runs) tally.add(r);
  const lines = [
    style.dim(escapeControls(header)),
    "",
    ...formatSummaryTable(tally, style),
    "",
    ...formatTriage(groupFailures(runs), { impl, strict, outDir, style, checks, shrinks }),
    "",
    ...notes.map((n) => escapeControls(n)),
    formatTotalsLine(tally),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return tally.failed > 0 ? EXIT.FAIL : EXIT.OK;
}

function omittedNote(n: number): string[] {
  return n > 0 ? [`(${n} more passing runs were counted by the batch but not listed in its report)`] : [];
}

/** Whether a file starts with `prefix` (false for one that cannot be read: the loader names that error). */
function startsWith(path: string, prefix: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(prefix.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8") === prefix;
  } catch {
    return true;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The batch's reports in `raftlab triage` and `raftlab merge` (runs/kinds.ts): whatever no other kind claims. */
export const BATCH_REPORT_KIND: ReportKind = {
  name: "batch",
  triage: (path, flags) => triageBatch(path, flags),
  isReport: () => true,
  merge: (files, flags, foreign) => mergeBatchReports(files, flags, foreign),
};

function triageBatch(path: string, flags: TriageFlags): number {
  if (/^\d+\.log$/.test(basename(path)) && !startsWith(path, "# raftlab batch run")) {
    throw new ReportError(
      `${path} is neither a raftlab batch run log nor beside its raftlab stress report.json; triage the stress output folder or its --json report`,
    );
  }
  // report.html covers a whole folder: one saved run must not replace the folder's page with its own.
  if (flags.html === true && /\.(log|jsonl)$/.test(path))
    throw new UsageError(`--html writes the page of a whole folder: give the folder of ${path}, or its report`);
  const loaded = loadSavedResults(path);
  const impl = flags.impl ?? loaded.impl;
  const wrote: string[] = [];
  if (flags.html === true) {
    if (loaded.outDir === null) throw new UsageError(`--html writes into the batch's output folder, and ${path} names none: triage the folder instead`);
    const html = writeBatchHtml(loaded.outDir, {
      runs: loaded.runs,
      impl,
      strict: loaded.strict,
      checks: loaded.replayChecks,
      omittedPassingRuns: loaded.omittedPassingRuns,
      ...(loaded.shrinks !== undefined ? { shrinks: loaded.shrinks } : {}),
      facts: [["source", loaded.source]],
      notes: loaded.note !== null ? [loaded.note] : [],
    });
    wrote.push(`wrote ${html.report} (${html.pages} run page${html.pages === 1 ? "" : "s"})`, ...html.problems.map((p) => `note: ${p}`));
  }
  return printResults(
    loaded.runs,
    impl,
    loaded.outDir,
    `triage of ${loaded.source}: ${loaded.runs.length} runs`,
    [
      ...(loaded.note !== null && !(loaded.implUnknown === true && flags.impl !== undefined) ? [`note: ${loaded.note}`] : []),
      ...omittedNote(loaded.omittedPassingRuns),
      ...wrote,
    ],
    loaded.replayChecks,
    loaded.strict,
    loaded.shrinks,
  );
}

function mergeBatchReports(files: readonly string[], flags: MergeFlags, foreign: readonly ForeignReport[]): number {
  const reports = files.map((name) => ({ name, report: readReport(name) }));
  const other = foreign[0];
  if (other !== undefined) {
    const batchFile = reports[0]?.name ?? "";
    throw new ReportError(
      `${other.file} is a raftlab ${other.kind} report and ${batchFile} a raftlab batch report; the two kinds cannot be merged, merge each kind on its own`,
    );
  }
  const merged = mergeReports(reports);
  if (merged.duplicates > 0) {
    process.stderr.write(
      `raftlab merge: warning: ${merged.duplicates} runs appear in more than one report; kept one of each (a failing one over a passing one)\n`,
    );
  }
  checkMissingShards(
    reports.map((r) => r.report.shard),
    flags,
  );
  if (flags.json !== undefined) writeReportFile(flags.json, serialiseReport(merged.report));
  if (flags.junit !== undefined) {
    const outDir = merged.report.outDir;
    writeReportFile(
      flags.junit,
      formatJUnit(merged.report.runs, {
        impl: merged.report.impl,
        outDir,
        ...(outDir !== null ? { logOf: (r: RunRecord) => readLogTail(outDir, r) } : {}),
      }),
    );
  }
  return printResults(
    merged.report.runs,
    merged.report.impl,
    merged.report.outDir,
    `merged ${files.length + foreign.length} report${files.length + foreign.length === 1 ? "" : "s"}: ${merged.report.runs.length} runs`,
    [...omittedNote(merged.report.omittedPassingRuns), ...[flags.json, flags.junit].filter((w) => w !== undefined).map((w) => `wrote ${w}`)],
    merged.report.replayChecks,
    false,
    merged.report.shrinks,
  );
}
