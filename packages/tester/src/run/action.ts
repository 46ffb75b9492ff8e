// What `raftlab run` does once its arguments are parsed: the matching tests once at one seed, the lab's
// lines, a replay command under each failure, and the trace to stdout or a file.

import { escapeControls } from "@raftlab/raft";
import { EXIT, replayCommand, styleFor, UsageError, type Style } from "@raftlab/raft/terminal";
import { matchTests, TEST_LIMIT_MS, UnknownPatternError, type TestSpec } from "../runner.js";
import { childScriptPath, describeEnd, IsolatedChild, type ChildEnd } from "../isolation/supervisor.js";
import { setRunSummarised } from "./exit-hook.js";
import type { RunChildMessage, RunJob } from "./job.js";
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

/** One `raftlab run`: its outputs and limits, shared by the steps below. */
interface RunSession {
  readonly flags: RunFlags;
  readonly writer: TraceWriter | null;
  readonly style: Style;
  readonly writeHuman: (text: string) => void;
  /** A human line; `atMs` places it in the trace at the virtual time it was printed. */
  readonly say: (line: string, paint?: (s: string) => string, atMs?: number) => void;
  readonly timeoutSec: number;
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

function openSession(flags: RunFlags, trace: TraceTarget, replay: ScheduleReplay | null): RunSession {
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
  return { flags, writer, style, writeHuman, say, timeoutSec, replay };
}

/** Prints the replay command of a failed test. */
function sayReplay(s: RunSession, test: string): void {
  const { flags } = s;
  const replay = replayCommand({
    test,
    seed: s.replay?.seed ?? flags.seed,
    impl: flags.impl ?? null,
    strict: flags.strict === true,
    // The --timeout the user gave: a replay with the default would judge a slow Raft differently.
    ...(flags.timeout !== undefined ? { timeoutSec: flags.timeout } : {}),
    ...(s.replay !== null && flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
  });
  s.say(`    seed ${s.replay?.seed ?? flags.seed}; replay: ${replay}`);
}

/** What one child did: the results it reported, and how it ended. */
interface ChildRun {
  readonly results: Map<string, boolean>;
  /** The test it had started and not reported, or null. */
  readonly inFlight: string | null;
  readonly end: ChildEnd;
  readonly endedCleanly: boolean;
}

/** What runInChild follows of its child while it runs. */
interface ChildProgress {
  readonly results: Map<string, boolean>;
  /** The test the child has started and not reported. */
  inFlight: string | null;
  /** The child has loaded the Raft. */
  ready: boolean;
  /** The child said it ran every test. */
  ended: boolean;
  /** The wall-clock limit of the test in flight. */
  timer: NodeJS.Timeout | null;
}

function disarm(p: ChildProgress): void {
  if (p.timer !== null) clearTimeout(p.timer);
  p.timer = null;
}

/** One message from the child: printed, traced, or counted; a result for another test than the one in flight is forged. */
function onChildMessage(s: RunSession, p: ChildProgress, child: IsolatedChild, m: RunChildMessage, graceMs: number, reject: (e: Error) => void): void {
  const { flags, style: c } = s;
  switch (m.t) {
    case "load-error":
      if (!p.ready) {
        setRunSummarised(true);
        child.stop({ type: "exit", code: 0, signal: null });
        reject(new UsageError(`--impl: ${m.message}`));
      }
      return;
    case "ready":
      p.ready = true;
      return;
    case "print":
      s.writeHuman(escapeControls(String(m.text), { tab: true, newline: true }));
      return;
    case "start":
      p.inFlight = String(m.test);
      disarm(p);
      p.timer = setTimeout(
        () => {
          process.stderr.write(
            `raftlab run: ${p.inFlight} seed ${s.replay?.seed ?? flags.seed}: no result after ${s.timeoutSec} s of wall-clock time and the Raft does not yield to the tester (a busy loop?); killed (--timeout)\n`,
          );
          child.stop({ type: "killed", why: `was killed after ${s.timeoutSec} s without a result (--timeout)` });
        },
        s.timeoutSec * 1000 + graceMs,
      );
      return;
    case "line": {
      const line = escapeControls(String(m.text));
      s.say(line, line.startsWith("  ... Passed") ? c.green : line.startsWith("--- FAIL") ? c.red : undefined, Number(m.atMs));
      return;
    }
    case "trace":
      s.writer?.append(String(m.text), Number(m.lastT));
      return;
    case "result":
      disarm(p);
      if (m.test !== p.inFlight) {
        child.stop({ type: "forged", why: `a result for ${escapeControls(String(m.test))} while ${p.inFlight ?? "no test"} ran` });
        return;
      }
      p.inFlight = null;
      p.results.set(m.test, m.ok === true);
      s.writer?.flush();
      if (m.ok !== true) sayReplay(s, m.test);
      if (s.writer?.error != null) child.stop({ type: "exit", code: 0, signal: null });
      return;
    case "end":
      p.ended = true;
      return;
  }
}

/**
 * Runs `tests` in one isolated child (run/child.ts) and prints what it says. The child's word counts
 * only through the channel: a result is a `result` message; a child that exits, dies, goes silent past
 * the limit or forges a message ends here with the test it was on unreported. Rejects with a
 * UsageError when the Raft cannot be loaded.
 */
function runInChild(s: RunSession, tests: readonly string[], trace: boolean): Promise<ChildRun> {
  const { flags } = s;
  const job: RunJob = {
    tests,
    seed: flags.seed,
    impl: flags.impl ?? null,
    strict: flags.strict === true,
    labelPrints: flags.labelPrints === true,
    showProbeOutput: flags.showProbeOutput === true,
    pace: flags.pace ?? null,
    wallTimeoutMs: s.timeoutSec * 1000,
    schedule: flags.schedule ?? null,
    trace,
  };
  const graceMs = Math.max(3000, s.timeoutSec * 250);
  return new Promise<ChildRun>((resolve, reject) => {
    const p: ChildProgress = { results: new Map<string, boolean>(), inFlight: null, ready: false, ended: false, timer: null };
    const child = new IsolatedChild(childScriptPath("run/child.js"), job, {
      onMessage: (raw) => onChildMessage(s, p, child, raw as RunChildMessage, graceMs, reject),
      onOutput: (text) => s.writeHuman(escapeControls(text, { tab: true, newline: true })),
      onEnd: (end) => {
        disarm(p);
        if (!p.ready && end.type !== "forged") {
          setRunSummarised(true);
          reject(new UsageError(`--impl: cannot load ${flags.impl ?? "the Raft"}: the test process ${describeEnd(end)} while loading it`));
          return;
        }
        resolve({ results: p.results, inFlight: p.inFlight, end, endedCleanly: p.ended });
      },
    });
  });
}

/** A test the child never reported: the lab's FAIL lines, naming how the child ended. */
function sayUnreported(s: RunSession, test: string, end: ChildEnd, started: boolean): void {
  s.say(`--- FAIL: ${test}`, s.style.red);
  s.say(`    [crash] the test process ${describeEnd(end)} ${started ? "before reporting the result" : "before running the test"}; counted as a failure`);
  sayReplay(s, test);
}

export async function runAction(patterns: string[], flags: RunFlags): Promise<number> {
  const replay = loadScheduleFlag(patterns, flags);
  const { tests, trace } = resolveTargets(replay !== null ? [replay.test] : patterns, flags);
  // From here on, any exit before the summary line is a failure (exit-hook.ts).
  setRunSummarised(false);
  const s = openSession(flags, trace, replay);
  let passed = 0;
  let failed = 0;
  let traceError: string | null = null;
  try {
    // The tests run in isolated children; one that ends early fails the test it was on, and a new
    // child runs the rest.
    let remaining: string[] = tests.map((t: TestSpec) => t.name);
    while (remaining.length > 0 && traceError === null) {
      const run = await runInChild(s, remaining, trace.on);
      for (const ok of run.results.values()) {
        if (ok) passed++;
        else failed++;
      }
      remaining = remaining.filter((t) => !run.results.has(t));
      traceError = s.writer?.error ?? null;
      if (remaining.length === 0 || traceError !== null) break;
      // The child stopped short: the test it was on (or, if it started none, the next) fails.
      const lost = run.inFlight ?? remaining[0];
      if (lost === undefined) break;
      sayUnreported(s, lost, run.endedCleanly ? { type: "exit", code: 0, signal: null } : run.end, run.inFlight !== null);
      failed++;
      remaining = remaining.filter((t) => t !== lost);
    }
  } finally {
    s.writer?.close();
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
