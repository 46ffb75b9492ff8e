// The `batch`, `triage` and `merge` subcommands of the raftlab CLI.

import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import {
  DEFAULT_GROWTH,
  DEFAULT_MAX_HEAP_MB,
  DEFAULT_TIMEOUT_SEC,
  DEFAULT_TRACE_CAP_BYTES,
  defaultOutDir,
  defaultWorkers,
  formatBatchSummary,
  runBatch,
  writeBatchReports,
  writeReportFile,
  type BatchOptions,
} from "./batch.js";
import { loadRunner } from "./contract.js";
import { loadSavedResults } from "./load.js";
import { mergeReports } from "./merge.js";
import { WorkerInitError } from "./pool.js";
import type { RunRecord } from "./record.js";
import { ReportError, formatJUnit, readLogTail, readReport, serialiseReport } from "./report.js";
import { RunListError, parseShard, type Shard } from "./runlist.js";
import { BatchTally } from "./stats.js";
import { colourWanted, makeStyle } from "./style.js";
import { formatSummaryTable, formatTotalsLine } from "./table.js";
import { formatTriage, groupFailures } from "./triage.js";
import type { ReplayCheck } from "./verify.js";

/** Exit codes shared by the three commands. */
export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

class UsageError extends Error {
  override readonly name = "UsageError";
}

function positiveInt(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer.`);
    return n;
  };
}

function nonNegativeInt(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be a non-negative integer.`);
    return n;
  };
}

function positiveNumber(what: string, min = 0): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n <= min) throw new InvalidArgumentError(`${what} must be a number above ${min}.`);
    return n;
  };
}

function shardArg(v: string): Shard {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Usage errors exit 2 (commander's default is 1); --help exits 0. */
function usageExits(cmd: Command): Command {
  return cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });
}

function fail(command: string, e: unknown): void {
  const known = e instanceof UsageError || e instanceof ReportError || e instanceof RunListError || e instanceof WorkerInitError;
  const message = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.name : "";
  // The runner signals a bad pattern with UnknownPatternError; any such one-line error is a usage error.
  if (known || name === "UnknownPatternError") {
    process.stderr.write(`raftlab ${command}: error: ${message.split("\n", 1)[0] ?? message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  throw e;
}

interface BatchFlags {
  iterations: number;
  workers?: number;
  sequential?: boolean;
  out?: string;
  archive?: boolean;
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
  quiet?: boolean;
  verify: boolean;
}

/** Resolves patterns to test names (all tests when none), in the tester's order, without repeats. */
async function resolveTests(patterns: readonly string[], runnerModule: string | null): Promise<string[]> {
  const runner = await loadRunner(runnerModule ?? undefined);
  const specs = patterns.length === 0 ? runner.TESTS : runner.matchTests(patterns);
  const names: string[] = [];
  for (const s of specs) if (!names.includes(s.name)) names.push(s.name);
  if (names.length === 0) throw new UsageError(`no tests match ${patterns.join(" ")}`);
  return names;
}

async function batchAction(patterns: string[], flags: BatchFlags, runnerModule: string | null): Promise<void> {
  if (flags.growth !== undefined && flags.loop !== true) throw new UsageError("--growth only makes sense with --loop");
  const tests = await resolveTests(patterns, runnerModule);
  let impl: string | null = null;
  let implPath: string | null = null;
  if (flags.impl !== undefined) {
    impl = flags.impl;
    implPath = resolve(flags.impl);
    try {
      await (await loadRunner(runnerModule ?? undefined)).loadImpl(implPath);
    } catch (e) {
      throw new UsageError(`--impl ${flags.impl}: ${(e as Error).message.split("\n", 1)[0]}`);
    }
  }
  let previousRuns: readonly RunRecord[] = [];
  let outDir = flags.out ?? null;
  if (flags.resume !== undefined) {
    const prior = readReport(flags.resume);
    if (prior.impl !== implPath) {
      throw new UsageError(`--resume ${flags.resume} ran ${prior.impl ?? "raftlab's Raft"}, not ${implPath ?? "raftlab's Raft"}`);
    }
    previousRuns = prior.runs;
    // Keep adding to the same folder, so triage of it sees every saved run.
    outDir ??= prior.outDir;
  }
  const colour = colourWanted(process.stdout);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write("\nstopping: finishing the report (Ctrl-C again to quit at once)\n");
      controller.abort();
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on("SIGINT", onSigint);
  const options: BatchOptions = {
    tests,
    iterations: flags.iterations,
    workers: flags.workers ?? defaultWorkers(),
    sequential: flags.sequential === true,
    outDir: outDir ?? defaultOutDir(),
    archive: flags.archive === true,
    seedStart: flags.seedStart,
    timeoutSec: flags.timeout,
    jsonPath: flags.json ?? null,
    junitPath: flags.junit ?? null,
    shard: flags.shard ?? null,
    loop: flags.loop === true,
    growth: flags.growth ?? DEFAULT_GROWTH,
    failFast: flags.failFast === true,
    impl: implPath,
    maxHeapMb: flags.maxMemory,
    traceCapBytes: Math.round(flags.traceCap * 1024 * 1024),
    // Progress writes to both streams (panel on stderr, FAIL lines on stdout): colour only if both are TTYs.
    colour: colour && colourWanted(process.stderr),
    quiet: flags.quiet === true,
    verifyReplays: flags.verify,
    previousRuns,
    signal: controller.signal,
    runnerModule,
  };
  try {
    const outcome = await runBatch(options);
    const written = writeBatchReports(options, outcome);
    const resumeFrom = outcome.report.outDir === null ? options.jsonPath : join(outcome.report.outDir, "report.json");
    const resumeCommand = resumeFrom === null ? undefined : resumeCommandLine(process.argv.slice(2), resumeFrom);
    const lines = formatBatchSummary(outcome, { impl, colour, written, ...(resumeCommand !== undefined ? { resumeCommand } : {}) });
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exitCode = outcome.exitCode;
  } finally {
    process.off("SIGINT", onSigint);
  }
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
): number {
  const colour = colourWanted(process.stdout);
  const style = makeStyle(colour);
  const tally = new BatchTally();
  for (const r of runs) tally.add(r);
  const lines = [
    style.dim(header),
    "",
    ...formatSummaryTable(tally, style),
    "",
    ...formatTriage(groupFailures(runs), { impl, outDir, style, checks }),
    "",
    ...notes,
    formatTotalsLine(tally),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return tally.failed > 0 ? EXIT_FAILURES : EXIT_OK;
}

function omittedNote(n: number): string[] {
  return n > 0 ? [`(${n} more passing runs were counted by the batch but not listed in its report)`] : [];
}

function triageAction(path: string, flags: { impl?: string }): void {
  const loaded = loadSavedResults(path);
  const impl = flags.impl ?? loaded.impl;
  process.exitCode = printResults(
    loaded.runs,
    impl,
    loaded.outDir,
    `triage of ${loaded.source}: ${loaded.runs.length} runs`,
    omittedNote(loaded.omittedPassingRuns),
    loaded.replayChecks,
  );
}

function mergeAction(files: string[], flags: { json?: string; junit?: string }): void {
  const merged = mergeReports(files.map((name) => ({ name, report: readReport(name) })));
  if (merged.duplicates > 0) {
    process.stderr.write(`raftlab merge: warning: ${merged.duplicates} runs appear in more than one report; kept the first\n`);
  }
  if (merged.missingShards.length > 0) {
    const count = files.length + merged.missingShards.length;
    process.stderr.write(`raftlab merge: warning: shards ${merged.missingShards.map((i) => `${i}/${count}`).join(", ")} are missing\n`);
  }
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
  const code = printResults(
    merged.report.runs,
    merged.report.impl,
    merged.report.outDir,
    `merged ${files.length} report${files.length === 1 ? "" : "s"}: ${merged.report.runs.length} runs`,
    [
      ...omittedNote(merged.report.omittedPassingRuns),
      ...[flags.json, flags.junit].filter((w) => w !== undefined).map((w) => `wrote ${w}`),
    ],
    merged.report.replayChecks,
  );
  process.exitCode = code;
}

export interface RegisterOptions {
  /** Test seam: a runner module URL to use instead of packages/tester's runner. */
  readonly runnerModule?: string;
}

/** Adds `batch`, `triage` and `merge` to the raftlab program. */
export function registerBatchCommands(program: Command, registerOptions: RegisterOptions = {}): void {
  const runnerModule = registerOptions.runnerModule ?? null;
  usageExits(
    program
      .command("batch")
      .summary("run tests many times over many seeds in parallel, save failing traces, triage failures")
      .description(
        "Runs every (test, seed) pair, seeds S..S+N-1 per test, in parallel worker threads, with live progress. " +
          "Failing runs are saved as <test>-<seed>.jsonl (trace) and <test>-<seed>.log in --out and grouped by " +
          "failure signature, each group with a command that replays it exactly (checked by replaying it). " +
          "With no pattern, runs the whole suite.\n" +
          "Exit code: 0 all passed, 1 a run failed, 2 usage error, 130 interrupted.\n" +
          "Examples:\n" +
          "  raftlab batch 3A 3B -n 200 -j 2\n" +
          "  raftlab batch Figure8 -n 1000 --fail-fast\n" +
          "  raftlab batch 3C --loop --json report.json   (rounds double until Ctrl-C)\n" +
          "  raftlab batch -n 100 --shard 2/4 --json s2.json  (CI: machine 2 of 4)\n" +
          "  raftlab batch 3B -n 50 --impl ./my-raft/dist/raft.js",
      )
      .argument("[patterns...]", "tests to run: a part (3A), a test name, or a pattern the tester accepts")
      .option("-n, --iterations <n>", "iterations (seeds) per test", positiveInt("--iterations"), 10)
      .option("-j, --workers <n>", `parallel worker threads (default: the CPU count, ${defaultWorkers()} here)`, positiveInt("--workers"))
      .option("-s, --sequential", "run all iterations of a test before the next test (default: interleave)")
      .option("-o, --out <dir>", "folder for saved runs (default: raftlab-out/YYYYMMDD-HHMMSS)")
      .option("-a, --archive", "also save passing runs")
      .option("--seed-start <s>", "first seed", nonNegativeInt("--seed-start"), 1)
      .option("-t, --timeout <sec>", "wall-clock limit per run; a run over it is stopped and reported", positiveNumber("--timeout"), DEFAULT_TIMEOUT_SEC)
      .option("--json <file>", "write a JSON report of every run")
      .option("--junit <file>", "write a JUnit XML report")
      .option("--shard <I/N>", "run only shard I of N (1-based) of the run list, for CI matrices", shardArg)
      .option("-l, --loop", "keep going in rounds, each --growth times larger, until Ctrl-C (or a failure with --fail-fast)")
      .option("-g, --growth <g>", `iteration growth per --loop round (default ${DEFAULT_GROWTH})`, positiveNumber("--growth", 1))
      .option("--fail-fast", "stop at the first failing run")
      .option("--impl <module>", "your own Raft: a JS module exporting `make` (MakeRaft)")
      .option("--max-memory <mb>", "heap limit per worker; a run over it is stopped and reported", positiveInt("--max-memory"), DEFAULT_MAX_HEAP_MB)
      .option("--trace-cap <mb>", "trace kept per saved run, in MiB", positiveNumber("--trace-cap"), DEFAULT_TRACE_CAP_BYTES / 1024 / 1024)
      .option("--resume <report>", "continue an interrupted batch: skip the runs its JSON report (DIR/report.json) already has")
      .option("--no-verify", "do not replay each failure group's example to check it reproduces exactly")
      .option("-q, --quiet", "no progress display")
      .action(async (patterns: string[], flags: BatchFlags) => {
        try {
          await batchAction(patterns, flags, runnerModule);
        } catch (e) {
          fail("batch", e);
        }
      }),
  );

  usageExits(
    program
      .command("triage")
      .summary("group saved failures by signature, with replay commands")
      .description(
        "Prints the summary table and the failure groups of saved results: a batch output folder " +
          "(its report.json, or else its saved .log/.jsonl files), a JSON report, or one saved .log or .jsonl.\n" +
          "Exit code: 0 no failures, 1 failures found, 2 unreadable input.",
      )
      .argument("<path>", "batch output folder, JSON report, or saved .log/.jsonl")
      .option("--impl <module>", "the --impl to put in replay commands (default: the one the report recorded)")
      .action((path: string, flags: { impl?: string }) => {
        try {
          triageAction(path, flags);
        } catch (e) {
          fail("triage", e);
        }
      }),
  );

  usageExits(
    program
      .command("merge")
      .summary("join JSON reports (e.g. of --shard runs) into one table and triage")
      .description(
        "Joins batch JSON reports, typically the shards 1/N..N/N of one batch run on a CI matrix, into one " +
          "table and triage, and warns about missing shards and repeated runs.\n" +
          "Exit code: 0 no failures, 1 failures found, 2 unreadable input.",
      )
      .argument("<reports...>", "JSON reports written by raftlab batch --json")
      .option("--json <file>", "write the merged JSON report")
      .option("--junit <file>", "write a merged JUnit XML report")
      .action((files: string[], flags: { json?: string; junit?: string }) => {
        try {
          mergeAction(files, flags);
        } catch (e) {
          fail("merge", e);
        }
      }),
  );
}
