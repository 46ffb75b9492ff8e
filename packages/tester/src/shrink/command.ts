// `raftlab shrink TEST --seed S [--impl M] [--budget SECONDS] [-o FILE]`: shrinks a failing run to the
// faults that matter (shrink.ts), writes the shrunk schedule, and prints its faults in plain words,
// the replay command and, last, `faults: N -> M` with the events and virtual time before and after.
// Exit codes: 0 the shrunk run fails the same way, 1 the given run does not fail, 2 usage error.

import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { escapeControls, type MakeRaft } from "@raftlab/raft";
import { nonNegativeInt, positiveNumber } from "../cli-args.js";
import { EXIT, EXIT_USAGE_TEXT, replayCommand as replayLine, UsageError } from "@raftlab/raft/terminal";
import { ImplLoadError, loadImpl, matchTests, UnknownPatternError } from "../runner.js";
import { DEFAULT_SHRINK_BUDGET_MS, shrinkRun, type ShrinkPoint, type ShrinkProgress } from "./shrink.js";

/** The given run does not fail, or the shrunk one no longer fails the same way. */
const EXIT_NOT_FAILING = EXIT.FAIL;

interface ShrinkFlags {
  readonly seed: number;
  readonly impl?: string;
  readonly budget?: number;
  readonly out?: string;
  readonly strict?: boolean;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/** The last line: `faults: N -> M  events: A -> B  virtual: X -> Y` (plain ASCII). */
export function summaryLine(before: ShrinkPoint, after: ShrinkPoint): string {
  return `faults: ${before.faults} -> ${after.faults}  events: ${before.events} -> ${after.events}  virtual: ${seconds(before.virtualMs)} -> ${seconds(after.virtualMs)}`;
}

/** The command that replays a schedule file (and opens its trace in logviz). */
export function replayCommand(test: string, file: string, implPath?: string, strict?: boolean): string {
  return replayLine({ test, seed: 0, impl: implPath ?? null, schedule: file, ...(strict === true ? { strict } : {}) });
}

async function shrinkAction(pattern: string, flags: ShrinkFlags): Promise<number> {
  let test: string;
  try {
    const tests = matchTests([pattern]);
    if (tests.length !== 1) throw new UsageError(`"${pattern}" matches ${tests.length} tests; name one (try: raftlab list)`);
    test = (tests[0] as { name: string }).name;
  } catch (e) {
    if (e instanceof UnknownPatternError) throw new UsageError(e.message);
    throw e;
  }
  let impl: MakeRaft | undefined;
  if (flags.impl !== undefined) {
    try {
      impl = await loadImpl(flags.impl);
    } catch (e) {
      if (e instanceof ImplLoadError) throw new UsageError(`--impl: ${e.message}`);
      throw e;
    }
  }
  const file = flags.out ?? `${test}-seed${flags.seed}.schedule.json`;
  const err = process.stderr;
  const live = err.isTTY === true;
  const progress = (p: ShrinkProgress): void => {
    if (live)
      err.write(
        `\r\u001b[2Kshrinking ${test} seed ${flags.seed}: ${p.runs} runs, faults ${p.originalFaults} -> ${p.faults}, ${Math.round(p.elapsedMs / 1000)}s`,
      );
  };
  const r = await shrinkRun(test, flags.seed, {
    ...(impl !== undefined ? { impl } : {}),
    ...(flags.impl !== undefined ? { implPath: flags.impl } : {}),
    budgetMs: (flags.budget ?? DEFAULT_SHRINK_BUDGET_MS / 1000) * 1000,
    ...(flags.strict === true ? { strict: true } : {}),
    onProgress: progress,
  });
  if (live) err.write("\r\u001b[2K");
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  if (r.status === "passes") {
    out(`${test} seed ${flags.seed} passes: nothing to shrink`);
    return EXIT_NOT_FAILING;
  }
  try {
    writeFileSync(file, `${JSON.stringify(r.shrunk.schedule)}\n`);
  } catch (e) {
    throw new UsageError(`-o: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const failure = r.shrunk.failure;
  out(`${test} seed ${flags.seed} fails: ${escapeControls(r.original.signature ?? "")}`);
  const why = r.stoppedBy === "done" ? "no smaller schedule fails the same way" : "stopped at the budget";
  out(`shrunk in ${r.runs} runs, ${(r.wallMs / 1000).toFixed(1)}s wall (${why})`);
  out(
    `the shrunk run ${r.sameFailure ? "fails the same way" : "no longer fails the same way"}: ${escapeControls(failure?.message.split("\n")[0] ?? "passes")}`,
  );
  out(`faults left (${r.faults.length}):`);
  for (const f of r.faults) out(`  ${escapeControls(f.text)}`);
  out(`schedule: ${file}`);
  out(`replay: ${replayCommand(test, file, flags.impl, flags.strict)}`);
  out(summaryLine(r.original, r.shrunk));
  return r.sameFailure ? EXIT.OK : EXIT_NOT_FAILING;
}

export function registerShrinkCommand(program: Command): void {
  program
    .command("shrink")
    .summary("shrink a failing run to the faults that matter")
    .description(
      "Shrink the failing run of TEST at --seed: remove faults (a dropped message is delivered, a crash is not done, " +
        "a partition is healed), shorten delays to zero, and keep each removal while the run still fails the same way " +
        "(the same broken rule, or the same message with numbers masked). Writes the shrunk schedule to FILE and prints " +
        "its faults, the replay command and 'faults: N -> M'.\n" +
        `Exit codes: 0 the shrunk run fails the same way, 1 the run does not fail, ${EXIT_USAGE_TEXT}.\n` +
        "Example:\n" +
        "  raftlab shrink Figure8Unreliable --seed 7 --impl ./dist/raft.js -o f8.json",
    )
    .argument("<test>", "the test: a name or a fragment that matches one test")
    .requiredOption("-s, --seed <n>", "the seed of the failing run", nonNegativeInt("the seed"))
    .option("--impl <module>", "your own Raft: a JS module exporting make (MakeRaft); default: raftlab's Raft")
    .option(
      "--budget <sec>",
      `wall-clock budget of the search (default ${DEFAULT_SHRINK_BUDGET_MS / 1000}); the best schedule so far is kept`,
      positiveNumber("the budget"),
    )
    .option("-o, --out <file>", "where to write the shrunk schedule (default TEST-seedS.schedule.json)")
    .option("--strict", "the checker's warnings fail the run instead of being counted")
    .action(async (pattern: string, flags: ShrinkFlags) => {
      try {
        process.exitCode = await shrinkAction(pattern, flags);
      } catch (e) {
        if (e instanceof UsageError || e instanceof InvalidArgumentError) {
          process.stderr.write(`raftlab shrink: ${escapeControls(e.message)}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        throw e;
      }
    });
}
