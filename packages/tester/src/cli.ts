#!/usr/bin/env node
// raftlab: the 6.5840 Raft lab tester on a deterministic simulator.
//   raftlab list
//   raftlab run [pattern...] [--seed N] [--trace [FILE]] [--impl MODULE] [--pace X] [--timeout SEC]
// Exit codes: 0 all passed, 1 a test failed (or the trace could not be written), 2 usage error
// (unknown pattern, bad flag, bad --impl), 137 a Raft blocked the thread past --timeout.

import { closeSync, openSync, writeSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { positiveSeconds } from "./cli-args.js";
import { escapeControls, formatTraceEvent, type MakeRaft, type TraceEvent, type TraceSink } from "@raftlab/raft";
import { ImplLoadError, loadImpl, matchTests, runTest, TEST_LIMIT_MS, TESTS, UnknownPatternError, type TestSpec } from "./runner.js";
import { shellQuote } from "./batch/record.js";
import { Watchdog } from "./watchdog.js";
// ---- batch, triage, merge (src/batch/): registered below with one call -----------------------------
import { registerBatchCommands } from "./batch/commands.js";
// ---- stress (src/stress/): any command run many times, failures grouped -------------------------------
import { registerStressCommand } from "./stress/commands.js";
// ---- conform (src/conform/): one peer, scripted RPCs, Figure 2 case by case ----------------------------
import { registerConformCommand } from "./conform/commands.js";
// ---- init (src/init/): a starter project for your own Raft ---------------------------------------------
import { registerInitCommand } from "./init/init.js";
import { commandPrefix } from "./invocation.js";

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

/** Default wall-clock limit per test of `raftlab run`, in seconds (the batch's default too). */
const DEFAULT_RUN_TIMEOUT_SEC = 120;

/** A write of the trace failed for a reason other than the reader going away (full disk, I/O error). */
function describeWriteError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === "ENOSPC" ? "ENOSPC: no space left on device" : escapeControls(err.code ?? err.message ?? String(e));
}

/** A lab line without its wall-clock figure: `... Passed -- 3.0 3 56 6412 0   43ms wall` and
 * `--- FAIL: T (3.0s virtual, 43ms wall)` lose the `43ms wall`. */
export function withoutWallTime(line: string): string {
  return line.replace(/(?:, *| +)\d+ms wall(?=\)?$)/, "");
}

/** Writes JSON lines to stdout or a file, in 64 KB chunks (or at once when pacing a live demo). */
class TraceWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number | null;
  private broken = false;
  /** Why the trace file could not be written (full disk, ...): the run then fails. */
  error: string | null = null;
  constructor(
    file: string | null,
    private readonly live: boolean,
    private readonly writeStdout: (text: string) => void,
  ) {
    this.fd = file === null ? null : openSync(file, "w");
  }
  /** Time of the last event written: a result line is placed at the time its test reached. */
  private lastT = 0;
  readonly sink: TraceSink = (e: TraceEvent): void => {
    if (this.broken) return;
    this.lastT = e.t;
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
    if (this.fd === null) {
      // A reader that goes away (EPIPE) ends the process quietly; other stdout errors are one line
      // (see the 'error' handler at the bottom).
      this.writeStdout(text);
      return;
    }
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off);
    } catch (e) {
      this.broken = true;
      this.error = describeWriteError(e);
    }
  }
  /** Puts a lab result line (`Test (3A): ...`, `  ... Passed --`, the summary) into the trace as a
   * harness `Output` event, so a reader of a piped trace keeps it (logviz prints them again on exit).
   * Wall-clock figures are left out: the trace stays a function of (test, seed). */
  output(line: string): void {
    this.sink({ t: this.lastT, src: -1, term: -1, state: "none", op: "Output", topic: "TEST", msg: withoutWallTime(line) });
    this.flush();
  }
  close(): void {
    this.flush();
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch (e) {
      this.error ??= describeWriteError(e);
    }
  }
}

interface RunFlags {
  readonly seed: number;
  readonly trace?: string | true;
  readonly impl?: string;
  readonly pace?: number;
  readonly timeout?: number;
  readonly strict?: boolean;
}

/** Whether the current `raftlab run` printed its summary; an exit before that is a failure. */
let runSummarised = true;

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
  // From here on, any exit before the summary line is a failure (exit hook below).
  runSummarised = false;
  let impl: MakeRaft | undefined;
  if (flags.impl !== undefined) {
    try {
      impl = await loadImpl(flags.impl);
    } catch (e) {
      runSummarised = true;
      if (e instanceof ImplLoadError) throw new UsageError(`--impl: ${e.message}`);
      throw e;
    }
  }
  // With the trace on stdout, the human lines go to stderr so the pipe carries only JSON.
  const humanStream = traceOn && traceFile === null ? process.stderr : process.stdout;
  const c = colours(humanStream);
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeHuman = humanStream.write.bind(humanStream);
  // A trace on stdout goes to a pipe (logviz) that hides stderr behind its screen: the result lines go
  // into the trace too, as harness events.
  const resultsInTrace = traceOn && traceFile === null;
  const say = (line: string, paint?: (s: string) => string): void => {
    writeHuman((paint ? paint(line) : line) + "\n");
    if (resultsInTrace) writer?.output(line);
  };
  let writer: TraceWriter | null = null;
  try {
    writer = traceOn ? new TraceWriter(traceFile, flags.pace !== undefined, (text) => writeOut(text)) : null;
  } catch (e) {
    runSummarised = true;
    throw new UsageError(`--trace: cannot write ${traceFile ?? "stdout"}: ${describeWriteError(e)}`);
  }
  // Wall-clock limit per test: the run's own between events, the watchdog's for a Raft that blocks.
  const timeoutSec = flags.timeout ?? DEFAULT_RUN_TIMEOUT_SEC + (flags.pace !== undefined ? TEST_LIMIT_MS / flags.pace / 1000 : 0);
  const graceMs = Math.max(3000, timeoutSec * 250);
  const watchdog = new Watchdog();
  // What the Raft under test prints (console.log, process.stdout.write) is data: escaped, and kept
  // off a stdout that carries the trace.
  const restoreOutput = captureImplOutput((text) => writeHuman(escapeControls(text, { tab: true, newline: true })));
  let passed = 0;
  let failed = 0;
  let traceError: string | null = null;
  try {
    for (const spec of tests) {
      watchdog.arm(
        timeoutSec * 1000 + graceMs,
        `raftlab run: ${spec.name} seed ${flags.seed}: no result after ${timeoutSec} s of wall-clock time and the Raft does not yield to the tester (a busy loop?); killed (--timeout)`,
      );
      const result = await runTest(spec.name, {
        seed: flags.seed,
        ...(impl !== undefined ? { impl } : {}),
        trace: writer?.sink ?? null,
        output: (raw) => {
          const line = escapeControls(raw);
          say(line, line.startsWith("  ... Passed") ? c.green : line.startsWith("--- FAIL") ? c.red : undefined);
        },
        ...(flags.pace !== undefined ? { pace: flags.pace } : {}),
        ...(flags.strict === true ? { strict: true } : {}),
        wallTimeoutMs: timeoutSec * 1000,
      });
      watchdog.disarm();
      writer?.flush();
      if (result.ok) {
        passed++;
      } else {
        failed++;
        const implFlag = flags.impl !== undefined ? ` --impl ${shellQuote(flags.impl)}` : "";
        const timeoutFlag = flags.timeout !== undefined ? ` --timeout ${flags.timeout}` : "";
        const strictFlag = flags.strict === true ? " --strict" : "";
        const npx = commandPrefix();
        say(`    seed ${flags.seed}; replay: ${npx}raftlab run ${spec.name} --seed ${flags.seed}${implFlag}${timeoutFlag}${strictFlag} --trace | ${npx}logviz`);
      }
      if (writer?.error != null) {
        traceError = writer.error;
        break;
      }
    }
  } finally {
    restoreOutput();
    writer?.close();
    await watchdog.close();
  }
  traceError ??= writer?.error ?? null;
  runSummarised = true;
  if (traceError !== null) {
    // The trace is cut short: the run must not look like a success (a full disk, say).
    process.stderr.write(`raftlab run: cannot write the trace to ${escapeControls(traceFile ?? "stdout")}: ${traceError}\n`);
    return EXIT_FAILED;
  }
  const summary = `${passed} passed, ${failed} failed`;
  say(summary, failed > 0 ? c.red : undefined);
  return failed > 0 ? EXIT_FAILED : 0;
}

/**
 * Sends everything written to process.stdout/stderr to `sink` until the returned function is called
 * (the tester's own writes go through functions bound before this).
 */
function captureImplOutput(sink: (text: string) => void): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      sink(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof stream.write;
  }
  return () => {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original !== undefined) stream.write = original;
    });
  };
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
      outputError: (str, write) => write(`raftlab: ${escapeControls(str.replace(/^error: /, "").split("\n")[0]?.trim() ?? str)}\n`),
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
    .option("--trace [file]", "write the JSON-lines trace to FILE, or to stdout (then the lab lines go to stderr)")
    .option(
      "-t, --timeout <sec>",
      `wall-clock limit per test; a test over it fails as a timeout (default ${DEFAULT_RUN_TIMEOUT_SEC}, plus the paced duration with --pace)`,
      positiveSeconds,
    )
    .option("--impl <module>", "your own Raft: a JS module exporting make (MakeRaft); default: raftlab's Raft")
    .option("--pace <x>", "run at X virtual ms per wall ms (1 = real time); the run is the same as unpaced", paceArg)
    .option("--strict", "the checker's warnings (heartbeat rate, vote timer reset, a missing persist before 3C) fail the run instead of being counted")
    .action(async (patterns: string[], flags: RunFlags) => {
      try {
        process.exitCode = await runAction(patterns, flags);
      } catch (e) {
        if (e instanceof UsageError) {
          process.stderr.write(`raftlab run: ${escapeControls(e.message)}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw e;
      }
    });

  registerBatchCommands(program);
  registerStressCommand(program);
  registerConformCommand(program);
  registerInitCommand(program);
  // One error style for every command: `raftlab <command>: <one line>`, data in it escaped.
  for (const cmd of program.commands) {
    cmd.configureOutput({
      outputError: (str, write) => write(`raftlab ${cmd.name()}: ${escapeControls(str.replace(/^error: /, "").split("\n")[0]?.trim() ?? str)}\n`),
    });
  }
  return program;
}

// A reader that goes away (`| head`, logviz quit) ends the run quietly; any other write error of
// stdout (a full disk under a redirect) is one line and exit code 1.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  runSummarised = true;
  process.stderr.write(`raftlab: cannot write to stdout: ${describeWriteError(err)}\n`);
  process.exit(EXIT_FAILED);
});

// A run counts as passed only when the tester saw it finish: an exit before the summary line (a Raft
// that got past the process.exit guard, say from a stray timer between tests) is a failure.
process.on("exit", (code) => {
  if (runSummarised) return;
  process.stderr.write(`raftlab run: the process exited (code ${code}) before the tests finished; counted as a failure\n`);
  if (code === 0) process.exitCode = EXIT_FAILED;
});

await buildProgram().parseAsync(process.argv);
