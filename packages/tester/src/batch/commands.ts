// The `batch`, `triage` and `merge` subcommands of the raftlab CLI.

import { escapeControls } from "@raftlab/raft";
import { Command, InvalidArgumentError, Option } from "commander";
import { nonNegativeInt, positiveInt, positiveNumber } from "../cli-args.js";
import { EXIT, EXIT_USAGE_TEXT, UsageError } from "@raftlab/raft/terminal";
import { batchAction, BATCH_REPORT_KIND, type BatchFlags } from "./actions.js";
import { mergeByKind, registerReportKind, triageByKind } from "../runs/kinds.js";
import type { MergeFlags } from "../runs/merge.js";
import { DEFAULT_GROWTH, DEFAULT_MAX_HEAP_MB, DEFAULT_TIMEOUT_SEC, DEFAULT_TRACE_CAP_BYTES, defaultWorkers, MAX_WORKERS_PER_CPU } from "./batch.js";
import { WorkerInitError } from "./pool.js";
import { DEFAULT_SHRINK_BUDGET_SEC } from "./shrink-groups.js";
import { ReportError } from "../runs/report.js";
import { RunListError, parseShard, type Shard } from "../runs/runlist.js";

export { resumeCommandLine } from "./actions.js";

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
    process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  });
}

function fail(command: string, e: unknown): void {
  const known = e instanceof UsageError || e instanceof ReportError || e instanceof RunListError || e instanceof WorkerInitError;
  const message = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.name : "";
  // The runner signals a bad pattern with UnknownPatternError; any such one-line error is a usage error.
  if (known || name === "UnknownPatternError") {
    process.stderr.write(`raftlab ${command}: ${escapeControls(message.split("\n", 1)[0] ?? message)}\n`);
    process.exitCode = EXIT.USAGE;
    return;
  }
  throw e;
}

export interface RegisterOptions {
  /** Test seam: a runner module URL to use instead of packages/tester's runner. */
  readonly runnerModule?: string;
}

/** Adds `batch`, `triage` and `merge` to the raftlab program. */
export function registerBatchCommands(program: Command, registerOptions: RegisterOptions = {}): void {
  registerReportKind(BATCH_REPORT_KIND, { fallback: true });
  registerBatch(program, registerOptions.runnerModule ?? null);
  registerTriage(program);
  registerMerge(program);
}

function registerBatch(program: Command, runnerModule: string | null): void {
  usageExits(
    program
      .command("batch")
      .summary("run tests many times over many seeds in parallel, save failing traces, triage failures")
      .description(
        "Runs every (test, seed) pair, seeds S..S+N-1 per test, in parallel worker threads, with live progress. " +
          "Failing runs are saved as <test>-<seed>.jsonl (trace) and <test>-<seed>.log in --out and grouped by " +
          "failure signature, each group with a command that replays it exactly (checked by replaying it). " +
          "--out also gets report.json and report.html (the summary, charts, and a page per saved failing run: " +
          "<test>-<seed>.html beside its .jsonl). " +
          "With no pattern, runs the whole suite.\n" +
          `Exit codes: 0 all passed, 1 a run failed, ${EXIT_USAGE_TEXT}, 130 interrupted.\n` +
          "Examples:\n" +
          "  raftlab batch 3A 3B -n 200 -j 2\n" +
          "  raftlab batch Figure8 -n 1000 --fail-fast\n" +
          "  raftlab batch 3C --loop --json report.json   (rounds double until Ctrl-C)\n" +
          "  raftlab batch -n 100 --shard 2/4 --json s2.json  (CI: machine 2 of 4)\n" +
          "  raftlab batch 3B -n 50 --impl ./my-raft/dist/raft.js\n" +
          "  raftlab batch 3C -n 20 --shrink --shrink-budget 60  (a shrunk schedule per failure group)",
      )
      .argument("[patterns...]", "tests to run: a part (3A), a test name, or a pattern the tester accepts")
      .option("-n, --iterations <n>", "iterations (seeds) per test", positiveInt("--iterations"), 10)
      .option(
        "-j, --workers <n>",
        `parallel worker threads (default: the CPU count, ${defaultWorkers()} here; at most ${MAX_WORKERS_PER_CPU} per CPU)`,
        positiveInt("--workers"),
      )
      .option("--sequential", "run all iterations of a test before the next test (default: interleave)")
      .option("-o, --out <dir>", "folder for saved runs (default: raftlab-out/YYYYMMDD-HHMMSS-PID)")
      .option("-a, --archive", "also save passing runs (alias: --keep-all)")
      // stress called the same idea --keep-all; either name works in both commands.
      .addOption(new Option("--keep-all").hideHelp())
      .option("--seed-start <s>", "first seed", nonNegativeInt("--seed-start"), 1)
      .option("-t, --timeout <sec>", "wall-clock limit per run; a run over it is stopped and reported", positiveNumber("--timeout"), DEFAULT_TIMEOUT_SEC)
      .option("--json <file>", "write a JSON report of every run")
      .option("--junit <file>", "write a JUnit XML report")
      .option("--shard <I/N>", "run only shard I of N (1-based) of the run list, for CI matrices", shardArg)
      .option("-l, --loop", "keep going in rounds, each --growth times larger, until Ctrl-C (or a failure with --fail-fast)")
      .option("-g, --growth <g>", `iteration growth per --loop round (default ${DEFAULT_GROWTH})`, positiveNumber("--growth", 1))
      .option("--fail-fast", "stop at the first failing run")
      .option("--impl <module>", "your own Raft: a JS module exporting `make` (MakeRaft)")
      .option(
        "--max-memory <mb>",
        "memory limit per run (V8 heap + Buffers), MiB; a run over it is stopped as out of memory",
        positiveInt("--max-memory"),
        DEFAULT_MAX_HEAP_MB,
      )
      .option("--trace-cap <mb>", "trace kept per saved run, in MiB", positiveNumber("--trace-cap"), DEFAULT_TRACE_CAP_BYTES / 1024 / 1024)
      .option(
        "--resume <report|dir>",
        "continue an interrupted or killed batch: skip the runs its report (DIR/report.json) or journal (DIR/journal.jsonl) already has",
      )
      .option("--trace-every-run", "trace runs as they run (default: a failing run is re-run traced, ~1.6x faster)")
      .option("--strict", "the checker's warnings (heartbeat rate, vote timer reset, a missing persist before 3C) fail runs instead of being counted")
      .option(
        "--shrink",
        "after the runs, shrink each failure group's example to the faults that matter (a schedule beside its trace, its replay command, faults: N -> M)",
      )
      .option(
        "--shrink-budget <sec>",
        `wall-clock budget per failure group for --shrink (default ${DEFAULT_SHRINK_BUDGET_SEC})`,
        positiveNumber("--shrink-budget"),
      )
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
}

function registerTriage(program: Command): void {
  usageExits(
    program
      .command("triage")
      .summary("group saved failures by signature, with replay commands")
      .description(
        "Prints the summary table and the failure groups of saved results: a batch output folder " +
          "(its report.json, or else its saved .log/.jsonl files), a JSON report, or one saved .log or .jsonl; " +
          "also a raftlab stress folder, its report, or one of its saved <iteration>.log files.\n" +
          `Exit codes: 0 no failures, 1 failures found, ${EXIT_USAGE_TEXT}.`,
      )
      .argument("<path>", "batch output folder, JSON report, or saved .log/.jsonl")
      .option("--impl <module>", "the --impl to put in replay commands (default: the one the report recorded)")
      .option("--html", "also write report.html and a page per saved failing run into the folder (as batch does)")
      .action((path: string, flags: { impl?: string; html?: boolean }) => {
        try {
          process.exitCode = triageByKind(path, flags);
        } catch (e) {
          fail("triage", e);
        }
      }),
  );
}

function registerMerge(program: Command): void {
  usageExits(
    program
      .command("merge")
      .summary("join JSON reports (e.g. of --shard runs) into one table and triage")
      .description(
        "Joins batch JSON reports, typically the shards 1/N..N/N of one batch run on a CI matrix, into one " +
          "table and triage, refuses an incomplete shard set (unless --allow-missing) and reports that contradict " +
          "each other (a run of the same test, seed, impl and --strict that passes in one and fails in another), " +
          "and warns about repeated runs (a failing one is kept over a passing one).\n" +
          `Exit codes: 0 no failures, 1 failures found, ${EXIT_USAGE_TEXT}, an invalid report (a number out of range), missing shards, or contradictory reports.`,
      )
      .argument("<reports...>", "JSON reports written by raftlab batch --json")
      .option("--json <file>", "write the merged JSON report")
      .option("--junit <file>", "write a merged JUnit XML report")
      .option("--allow-missing", "merge the shards given when some of the 1/N..N/N set are missing (a warning, not an error)")
      .action((files: string[], flags: MergeFlags) => {
        try {
          process.exitCode = mergeByKind(files, flags);
        } catch (e) {
          fail("merge", e);
        }
      }),
  );
}
