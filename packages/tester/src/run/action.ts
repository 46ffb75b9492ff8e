// What `raftlab run` does once its arguments are parsed: the matching tests once at one seed, the lab's
// lines, a replay command under each failure, and the trace to stdout or a file.

import { escapeControls, type MakeRaft } from "@raftlab/raft";
import { EXIT, replayCommand, styleFor, UsageError, type Style } from "@raftlab/raft/terminal";
import { ImplLoadError, loadImpl, matchTests, runTest, TEST_LIMIT_MS, UnknownPatternError, type TestSpec } from "../runner.js";
import { Watchdog } from "../watchdog.js";
import { captureImplOutput } from "./capture.js";
import { setRunSummarised } from "./exit-hook.js";
import { describeWriteError, TraceWriter } from "./trace-writer.js";
import { prepareScheduleReplay, type ScheduleReplay } from "../schedule/replay.js";
import { ScheduleError } from "../schedule/load.js";

/** Default wall-clock limit per test of `raftlab run`, in seconds (the batch's default too). */
export const DEFAULT_RUN_TIMEOUT_SEC = 120;

export interface RunFlags {
  readonly seed: number;
  readonly trace?: string | true;
  readonly impl?: string;
  readonly pace?: number;
  readonly timeout?: number;
  readonly strict?: boolean;
  /** Replay this schedule file instead of the seed's draws. */
  readonly schedule?: string;
  /** Prefix each line the Raft prints with its peer and virtual time. */
  readonly labelPrints?: boolean;
  /** Show the restart probes' copies' prints, labelled (never traced). */
  readonly showProbeOutput?: boolean;
}

function isPattern(p: string): boolean {
  try {
    matchTests([p]);
    return true;
  } catch {
    return false;
  }
}

/** Where the trace goes: off, stdout (traceFile null) or a file. */
interface TraceTarget {
  readonly on: boolean;
  readonly file: string | null;
}

/** The tests to run and the trace target. `--trace Figure8` reads "Figure8" as the file; a value that
 * names tests and no file is a pattern. */
function resolveTargets(patterns: string[], flags: RunFlags): { tests: TestSpec[]; trace: TraceTarget } {
  let file: string | null = null;
  if (typeof flags.trace === "string") {
    if (!/[./\\]/.test(flags.trace) && isPattern(flags.trace)) patterns = [...patterns, flags.trace];
    else file = flags.trace;
  }
  try {
    return { tests: matchTests(patterns), trace: { on: flags.trace !== undefined, file } };
  } catch (e) {
    if (e instanceof UnknownPatternError) throw new UsageError(e.message);
    throw e;
  }
}

async function loadImplFlag(flags: RunFlags): Promise<MakeRaft | undefined> {
  if (flags.impl === undefined) return undefined;
  try {
    return await loadImpl(flags.impl);
  } catch (e) {
    setRunSummarised(true);
    if (e instanceof ImplLoadError) throw new UsageError(`--impl: ${e.message}`);
    throw e;
  }
}

/** One `raftlab run`: its outputs and limits, shared by the steps below. */
interface RunSession {
  readonly flags: RunFlags;
  readonly impl: MakeRaft | undefined;
  readonly writer: TraceWriter | null;
  readonly style: Style;
  readonly writeHuman: (text: string) => void;
  /** A human line; `atMs` places it in the trace at the virtual time it was printed. */
  readonly say: (line: string, paint?: (s: string) => string, atMs?: number) => void;
  readonly timeoutSec: number;
  readonly watchdog: Watchdog;
  /** The schedule replayed instead of the seed's draws (--schedule), or null. */
  readonly replay: ScheduleReplay | null;
}

/** --schedule FILE: the schedule to replay (its test replaces the patterns), or null. */
function loadScheduleFlag(patterns: string[], flags: RunFlags): ScheduleReplay | null {
  if (flags.schedule === undefined) return null;
  try {
    return prepareScheduleReplay(flags.schedule, patterns);
  } catch (e) {
    if (e instanceof ScheduleError) throw new UsageError(`--schedule: ${e.message}`);
    throw e;
  }
}

function openSession(flags: RunFlags, impl: MakeRaft | undefined, trace: TraceTarget, replay: ScheduleReplay | null): RunSession {
  // With the trace on stdout, the human lines go to stderr so the pipe carries only JSON.
  const humanStream = trace.on && trace.file === null ? process.stderr : process.stdout;
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeHuman = humanStream.write.bind(humanStream);
  let writer: TraceWriter | null = null;
  try {
    writer = trace.on ? new TraceWriter(trace.file, flags.pace !== undefined, (text) => writeOut(text)) : null;
  } catch (e) {
    setRunSummarised(true);
    throw new UsageError(`--trace: cannot write ${trace.file ?? "stdout"}: ${describeWriteError(e)}`);
  }
  // A trace on stdout goes to a pipe (logviz) that hides stderr behind its screen: the result lines go
  // into the trace too, as harness events.
  const resultsInTrace = trace.on && trace.file === null;
  const say = (line: string, paint?: (s: string) => string, atMs?: number): void => {
    writeHuman((paint ? paint(line) : line) + "\n");
    if (resultsInTrace) writer?.output(line, atMs);
  };
  // Wall-clock limit per test: the run's own between events, the watchdog's for a Raft that blocks.
  const timeoutSec = flags.timeout ?? DEFAULT_RUN_TIMEOUT_SEC + (flags.pace !== undefined ? TEST_LIMIT_MS / flags.pace / 1000 : 0);
  const style = styleFor(humanStream);
  return { flags, impl, writer, style, writeHuman, say, timeoutSec, watchdog: new Watchdog(), replay };
}

/** Runs one test under the watchdog; prints its replay command when it fails. Returns whether it passed. */
async function runOneTest(s: RunSession, spec: TestSpec): Promise<boolean> {
  const { flags, style: c } = s;
  const graceMs = Math.max(3000, s.timeoutSec * 250);
  s.watchdog.arm(
    s.timeoutSec * 1000 + graceMs,
    `raftlab run: ${spec.name} seed ${flags.seed}: no result after ${s.timeoutSec} s of wall-clock time and the Raft does not yield to the tester (a busy loop?); killed (--timeout)`,
  );
  const seed = s.replay?.seed ?? flags.seed;
  const result = await runTest(spec.name, {
    seed,
    ...(s.replay !== null ? { schedule: s.replay.session() } : {}),
    ...(s.impl !== undefined ? { impl: s.impl } : {}),
    trace: s.writer?.sink ?? null,
    output: (raw, atMs) => {
      const line = escapeControls(raw);
      s.say(line, line.startsWith("  ... Passed") ? c.green : line.startsWith("--- FAIL") ? c.red : undefined, atMs);
    },
    ...(flags.labelPrints === true ? { labelPrints: true } : {}),
    ...(flags.showProbeOutput === true ? { showProbeOutput: true } : {}),
    ...(flags.pace !== undefined ? { pace: flags.pace } : {}),
    ...(flags.strict === true ? { strict: true } : {}),
    wallTimeoutMs: s.timeoutSec * 1000,
  });
  s.watchdog.disarm();
  s.writer?.flush();
  if (!result.ok) {
    const replay = replayCommand({
      test: spec.name,
      seed,
      impl: flags.impl ?? null,
      strict: flags.strict === true,
      // The --timeout the user gave: a replay with the default would judge a slow Raft differently.
      ...(flags.timeout !== undefined ? { timeoutSec: flags.timeout } : {}),
      ...(s.replay !== null && flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
    });
    s.say(`    seed ${seed}; replay: ${replay}`);
  }
  return result.ok;
}

export async function runAction(patterns: string[], flags: RunFlags): Promise<number> {
  const replay = loadScheduleFlag(patterns, flags);
  const { tests, trace } = resolveTargets(replay !== null ? [replay.test] : patterns, flags);
  // From here on, any exit before the summary line is a failure (exit-hook.ts).
  setRunSummarised(false);
  const impl = await loadImplFlag(flags);
  const s = openSession(flags, impl, trace, replay);
  // What the Raft under test prints (console.log, process.stdout.write) is data: escaped, and kept
  // off a stdout that carries the trace.
  const restoreOutput = captureImplOutput((text) => s.writeHuman(escapeControls(text, { tab: true, newline: true })));
  let passed = 0;
  let failed = 0;
  let traceError: string | null = null;
  try {
    for (const spec of tests) {
      if (await runOneTest(s, spec)) passed++;
      else failed++;
      if (s.writer?.error != null) {
        traceError = s.writer.error;
        break;
      }
    }
  } finally {
    restoreOutput();
    s.writer?.close();
    await s.watchdog.close();
  }
  traceError ??= s.writer?.error ?? null;
  setRunSummarised(true);
  if (traceError !== null) {
    // The trace is cut short: the run must not look like a success (a full disk, say).
    process.stderr.write(`raftlab run: cannot write the trace to ${escapeControls(trace.file ?? "stdout")}: ${traceError}\n`);
    return EXIT.FAIL;
  }
  const summary = `${passed} passed, ${failed} failed`;
  s.say(summary, failed > 0 ? s.style.red : undefined);
  return failed > 0 ? EXIT.FAIL : EXIT.OK;
}
