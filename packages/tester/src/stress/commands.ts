// The `stress` subcommand of the raftlab CLI. Short flags mean what they mean in every raftlab command:
// -n iterations, -j workers, -o output folder, -l loop, -q quiet (-s is --seed and -t is --trace
// elsewhere, so stress gives neither a meaning).

import { Command, InvalidArgumentError, Option } from "commander";
import { positiveInt, positiveNumber } from "../cli-args.js";
import { escapeControls } from "@raftlab/raft";
import { defaultWorkers } from "../runs/defaults.js";
import { ReportError } from "../runs/report.js";
import { RunListError, parseShard, type Shard } from "../runs/runlist.js";
import { EXIT, EXIT_USAGE_TEXT, UsageError } from "@raftlab/raft/terminal";
import { STRESS_REPORT_KIND, stressAction, type StressFlags } from "./actions.js";
import { registerReportKind } from "../runs/kinds.js";
import { DEFAULT_MAX_OUTPUT_MB, DEFAULT_TIMEOUT_SEC } from "./stress.js";

function shardArg(v: string): Shard {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Adds `stress` to the raftlab program. */
export function registerStressCommand(program: Command): void {
  registerReportKind(STRESS_REPORT_KIND);
  // `raftlab stress -n 5 go test -v`: options after the command belong to the command.
  program.enablePositionalOptions();
  program
    .command("stress")
    .summary("run any command many times in parallel (go test, npm test, ...), group failures, keep failing output")
    .description(
      "Runs CMD again and again, each time in its own process group with RAFTLAB_ITER=<iteration> set, in parallel, " +
        "with live progress. A non-zero exit fails the iteration; failing iterations' output (stdout and stderr " +
        "interleaved) is saved as <iteration>.log in --out. `go test -v` output (or --split-tests) gives one result " +
        "per Go test. Failures are grouped by signature (first failure line, DATA RACE frames), each group with a " +
        "command that re-runs it and the log to open in logviz.\n" +
        `Exit codes: 0 all passed, 1 an iteration failed, ${EXIT_USAGE_TEXT}, 130 interrupted.\n` +
        "Examples:\n" +
        "  raftlab stress -n 500 -j 8 -- go test -run 3A -race\n" +
        "  raftlab stress -n 200 --split-tests -- go test -run '3B|3C'\n" +
        "  VERBOSE=1 raftlab stress -n 100 --fail-fast -- go test -run Figure8Unreliable\n" +
        "  raftlab stress -n 50 -- npm test\n" +
        "  raftlab stress -n 400 --shard 2/4 --json s2.json -- go test -run 3C   (CI: machine 2 of 4; raftlab merge s*.json)",
    )
    .argument("<command...>", "the command to run, after --")
    .option("-n, --iterations <n>", "iterations", positiveInt("--iterations"), 10)
    .option("-j, --workers <n>", `iterations run at once (default: the CPU count, ${defaultWorkers()} here)`, positiveInt("--workers"))
    .option(
      "-t, --timeout <sec>",
      `per iteration; an iteration over it is killed (its whole process group) and marked "timeout" (default ${DEFAULT_TIMEOUT_SEC})`,
      positiveNumber("--timeout"),
    )
    .option("--fail-fast", "stop at the first failing iteration")
    .option("-l, --loop", "keep going (in rounds that double) until Ctrl-C or --max-failures")
    .option("--max-failures <n>", "stop once N iterations have failed", positiveInt("--max-failures"))
    .option("-o, --out <dir>", "folder for saved output (default: raftlab-out/YYYYMMDD-HHMMSS-PID)")
    .option("-a, --archive", "also save passing iterations' output (alias: --keep-all)")
    // The same idea as batch's --archive; --keep-all, its first name here, keeps working.
    .addOption(new Option("--keep-all").hideHelp())
    .option("--split-tests", "one result per Go test: adds -v to go test and reads its === RUN / --- FAIL lines")
    .option("--json <file>", "write a JSON report (raftlab triage and raftlab merge read it)")
    .option("--junit <file>", "write a JUnit XML report")
    .option("--shard <I/N>", "run only iterations I, I+N, I+2N, ... (1-based), for CI matrices", shardArg)
    .option("--max-output <mb>", `output kept per iteration: the last MB (default ${DEFAULT_MAX_OUTPUT_MB})`, positiveNumber("--max-output"))
    .option("-q, --quiet", "no progress display")
    .passThroughOptions()
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    })
    .action(async (argv: string[], flags: StressFlags) => {
      try {
        process.exitCode = await stressAction(argv, flags);
      } catch (e) {
        if (e instanceof UsageError || e instanceof ReportError || e instanceof RunListError) {
          process.stderr.write(`raftlab stress: ${escapeControls(e.message.split("\n", 1)[0] ?? e.message)}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        throw e;
      }
    });
}
