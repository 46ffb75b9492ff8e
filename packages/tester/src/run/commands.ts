// The `list` and `run` commands of the raftlab CLI.

import { Command, InvalidArgumentError } from "commander";
import { escapeControls } from "@raftlab/raft";
import { EXIT, EXIT_USAGE_TEXT, UsageError } from "@raftlab/raft/terminal";
import { positiveSeconds } from "../cli-args.js";
import { TESTS } from "../runner.js";
import { DEFAULT_RUN_TIMEOUT_SEC, runAction, type RunFlags } from "./action.js";

function seedArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("the seed must be a non-negative integer.");
  return n;
}

function paceArg(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("the pace must be a positive number (virtual ms per wall ms).");
  return n;
}

function listAction(): void {
  const width = Math.max(...TESTS.map((t) => t.name.length));
  for (const t of TESTS) {
    process.stdout.write(`${t.name.padEnd(width)}  ${t.part}  ${t.servers} servers  ${t.description}\n`);
  }
}

/** Adds `list` and `run` to the raftlab program. */
export function registerRunCommands(program: Command): void {
  program
    .command("list")
    .summary("list the lab tests")
    .description(`list the lab tests: name, part, servers, what it checks\nExit codes: 0 listed, ${EXIT_USAGE_TEXT}.`)
    .action(() => listAction());

  program
    .command("run")
    .summary("run the matching tests once at one seed (default: every test, seed 1)")
    .description(
      "Run the matching tests once at one seed, printing the lab's lines and a last line 'N passed, N failed'.\n" +
        "A pattern is a part (3A), a test name (TestBackup3B) or a fragment of one (Figure8, backup); none runs all.\n" +
        "Examples:\n" +
        "  raftlab run 3A\n" +
        "  raftlab run Figure8Unreliable --seed 7 --trace | logviz\n" +
        "  raftlab run Figure8Unreliable --trace --pace 4 | logviz      (a live demo at 4x real time)\n" +
        "  raftlab run 3B --impl ./my-raft/dist/raft.js                 (your own Raft)\n" +
        `Exit codes: 0 all passed, 1 a test failed (or the trace could not be written), ${EXIT_USAGE_TEXT}, 137 a Raft blocked the thread past --timeout.`,
    )
    .argument("[patterns...]", "tests to run: part, name or name fragment (case-insensitive)")
    .option("-s, --seed <n>", "the seed: the same seed gives the same run, byte for byte", seedArg, 1)
    .option("--trace [file]", "write the JSON-lines trace to FILE, or to stdout (then the lab lines go to stderr)")
    .option(
      "-t, --timeout <sec>",
      `wall-clock limit per test; a test over it fails as a timeout (default ${DEFAULT_RUN_TIMEOUT_SEC}, plus the paced duration with --pace)`,
      positiveSeconds,
    )
    .option("--impl <module>", "your own Raft: a JS module exporting make (MakeRaft); default: raftlab's Raft")
    .option("--pace <x>", "run at X virtual ms per wall ms (1 = real time); the run is the same as unpaced", paceArg)
    .option("--strict", "the checker's warnings (heartbeat rate, vote timer reset, a missing persist before 3C) fail the run instead of being counted")
    .option("--label-prints", "prefix each line your Raft prints with its peer and virtual time ([S1 1.234s] ...)")
    .option("--show-probe-output", "show what the restart probes' copies of a peer print (labelled; never traced)")
    .option("--schedule <file>", "replay a schedule (raftlab shrink -o FILE) instead of the seed's draws; the run is the one recorded")
    .action(async (patterns: string[], flags: RunFlags) => {
      try {
        process.exitCode = await runAction(patterns, flags);
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`raftlab run: ${escapeControls(e.message)}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        throw e;
      }
    });
}
