#!/usr/bin/env node
// raftlab: the 6.5840 Raft lab tester on a deterministic simulator.
//   raftlab list
//   raftlab run [pattern...] [--seed N] [--trace [FILE]] [--impl MODULE] [--pace X]
// Exit codes: 0 all passed, 1 a test failed, 2 usage error (unknown pattern, bad flag, bad --impl).

import { closeSync, openSync, writeSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { formatTraceEvent, type MakeRaft, type TraceEvent, type TraceSink } from "@raftlab/raft";
import { ImplLoadError, loadImpl, matchTests, runTest, TESTS, UnknownPatternError, type TestSpec } from "./runner.js";
// ---- batch, triage, merge (src/batch/): registered below with one call -----------------------------
import { registerBatchCommands } from "./batch/commands.js";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

function colours(stream: NodeJS.WriteStream): { red: (s: string) => string; green: (s: string) => string; dim: (s: string) => string } {
  const on = stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb";
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap(31), green: wrap(32), dim: wrap(2) };
}

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

/** Writes JSON lines to stdout or a file, in 64 KB chunks (or at once when pacing a live demo). */
class TraceWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number | null;
  private broken = false;
  constructor(
    file: string | null,
    private readonly live: boolean,
  ) {
    this.fd = file === null ? null : openSync(file, "w");
  }
  readonly sink: TraceSink = (e: TraceEvent): void => {
    const line = formatTraceEvent(e) + "\n";
    this.buf.push(line);
    this.size += line.length;
    if (this.live || this.size >= 65536) this.flush();
  };
  flush(): void {
    if (this.buf.length === 0 || this.broken) return;
    const text = this.buf.join("");
    this.buf = [];
    this.size = 0;
    try {
      if (this.fd === null) process.stdout.write(text);
      else writeSync(this.fd, text);
    } catch {
      this.broken = true; // The reader went away (EPIPE): keep running, stop writing.
    }
  }
  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
  }
}

interface RunFlags {
  readonly seed: number;
  readonly trace?: string | true;
  readonly impl?: string;
  readonly pace?: number;
}

async function runAction(patterns: string[], flags: RunFlags): Promise<number> {
  // `--trace Figure8` reads "Figure8" as the file; a value that names tests and no file is a pattern.
  let traceFile: string | null = null;
  let traceOn = false;
  if (flags.trace !== undefined) {
    traceOn = true;
    if (typeof flags.trace === "string") {
      if (!/[./\\]/.test(flags.trace) && isPattern(flags.trace)) patterns = [...patterns, flags.trace];
      else traceFile = flags.trace;
    }
  }
  let tests: TestSpec[];
  try {
    tests = matchTests(patterns);
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
  // With the trace on stdout, the human lines go to stderr so the pipe carries only JSON.
  const human = traceOn && traceFile === null ? process.stderr : process.stdout;
  const c = colours(human);
  const say = (line: string): void => {
    human.write(line + "\n");
  };
  let writer: TraceWriter | null = null;
  try {
    writer = traceOn ? new TraceWriter(traceFile, flags.pace !== undefined) : null;
  } catch (e) {
    throw new UsageError(`--trace: cannot write ${traceFile ?? "stdout"}: ${(e as Error).message}`);
  }
  let passed = 0;
  let failed = 0;
  try {
    for (const spec of tests) {
      const result = await runTest(spec.name, {
        seed: flags.seed,
        ...(impl !== undefined ? { impl } : {}),
        trace: writer?.sink ?? null,
        output: (line) => say(line.startsWith("  ... Passed") ? c.green(line) : line.startsWith("--- FAIL") ? c.red(line) : line),
        ...(flags.pace !== undefined ? { pace: flags.pace } : {}),
      });
      writer?.flush();
      if (result.ok) {
        passed++;
      } else {
        failed++;
        const implFlag = flags.impl !== undefined ? ` --impl ${flags.impl}` : "";
        say(`    seed ${flags.seed}; replay: raftlab run ${spec.name} --seed ${flags.seed}${implFlag} --trace | logviz`);
      }
    }
  } finally {
    writer?.close();
  }
  const summary = `${passed} passed, ${failed} failed`;
  say(failed > 0 ? c.red(summary) : summary);
  return failed > 0 ? EXIT_FAILED : 0;
}

function isPattern(p: string): boolean {
  try {
    matchTests([p]);
    return true;
  } catch {
    return false;
  }
}

function listAction(): void {
  const width = Math.max(...TESTS.map((t) => t.name.length));
  for (const t of TESTS) {
    process.stdout.write(`${t.name.padEnd(width)}  ${t.part}  ${t.servers} servers  ${t.description}\n`);
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("raftlab")
    .description("The MIT 6.5840 Raft lab tester (parts 3A-3D) on a deterministic simulator: every run is a function of its seed.")
    .version("0.1.0")
    .configureOutput({
      // Usage errors are one line.
      outputError: (str, write) => write(`raftlab: ${str.replace(/^error: /, "").split("\n")[0]?.trim() ?? str}\n`),
    })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    })
    .showSuggestionAfterError(false);

  program
    .command("list")
    .summary("list the lab tests")
    .description("list the lab tests: name, part, servers, what it checks")
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
        "  raftlab run 3B --impl ./my-raft/dist/raft.js                 (your own Raft)",
    )
    .argument("[patterns...]", "tests to run: part, name or name fragment (case-insensitive)")
    .option("-s, --seed <n>", "the seed: the same seed gives the same run, byte for byte", seedArg, 1)
    .option("-t, --trace [file]", "write the JSON-lines trace to FILE, or to stdout (then the lab lines go to stderr)")
    .option("--impl <module>", "your own Raft: a JS module exporting make (MakeRaft); default: raftlab's Raft")
    .option("--pace <x>", "run at X virtual ms per wall ms (1 = real time); the run is the same as unpaced", paceArg)
    .action(async (patterns: string[], flags: RunFlags) => {
      try {
        process.exitCode = await runAction(patterns, flags);
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`raftlab: ${e.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw e;
      }
    });

  registerBatchCommands(program);
  return program;
}

// A reader that goes away (`| head`, logviz quit) ends the run quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

await buildProgram().parseAsync(process.argv);
