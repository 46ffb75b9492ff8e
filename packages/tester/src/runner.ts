// The runner API: list and match the lab tests, run one (test, seed) pair on the simulator, load a
// Raft implementation from a module. `raftlab run` and `raftlab batch` are built on exactly this.

import * as raftModule from "@raftlab/raft";
import { createPrng, escapeControls, type MakeRaft, type TraceSink } from "@raftlab/raft";
import { EXIT } from "@raftlab/raft/terminal";
import { fileURLToPath, pathToFileURL } from "node:url";
import { basename, join as joinPath, resolve as resolvePath } from "node:path";
import { readdirSync, statSync } from "node:fs";
import { isCommonJsInEsmScope, loadCommonJs } from "./harness/commonjs.js";
import { TestContext, type RunWarning } from "./harness/context.js";
import { harnessEvent } from "./net/events.js";
import { describeCrash, type RunFailure } from "./harness/failure.js";
import { TraceGuard } from "./harness/trace-guard.js";
import { describeLivelock, StormWatch } from "./sim/livelock.js";
import { Simulator } from "./sim/simulator.js";
import { capturePrints, type PrintCapture } from "./sim/print-capture.js";
import { virtualGlobals, withLoadClock, type VirtualGlobals } from "./sim/virtual-globals.js";
import { LAB_TESTS } from "./tests/index.js";
import type { LabTest, TestSpec } from "./tests/spec.js";
import type { ScheduleSession } from "./schedule/session.js";

export type { TestSpec, Part } from "./tests/spec.js";
export type { RunFailure, FailureKind } from "./harness/failure.js";
export type { RunWarning } from "./harness/context.js";

/** The per-test limit on virtual time (config.go checkTimeout). */
export const TEST_LIMIT_MS = 120_000;
/** A guard against a Raft that schedules events forever without letting virtual time advance. */
export const MAX_EVENTS_PER_RUN = 20_000_000;

export const TESTS: readonly TestSpec[] = LAB_TESTS.map(({ name, part, servers, description }) => ({ name, part, servers, description }));

export class UnknownPatternError extends Error {
  override name = "UnknownPatternError";
}

export class ImplLoadError extends Error {
  override name = "ImplLoadError";
}

/**
 * The tests matching any of the patterns, in the lab's order. A pattern matches a part ("3A"), a full
 * name ("TestBackup3B") or a fragment of a name ("Figure8", "backup"), ignoring case. No patterns
 * means every test. A pattern that matches nothing throws UnknownPatternError.
 */
export function matchTests(patterns: readonly string[]): TestSpec[] {
  if (patterns.length === 0) return [...TESTS];
  const chosen = new Set<string>();
  for (const raw of patterns) {
    const p = raw.trim().toLowerCase();
    const hits = p === "" ? [] : TESTS.filter((t) => t.part.toLowerCase() === p || t.name.toLowerCase().includes(p));
    if (hits.length === 0) throw new UnknownPatternError(`no test matches "${raw}" (try: raftlab list)`);
    for (const t of hits) chosen.add(t.name);
  }
  return TESTS.filter((t) => chosen.has(t.name));
}

export interface RunOptions {
  readonly seed: number;
  /** The Raft under test; ours by default. */
  readonly impl?: MakeRaft;
  /** Receives every trace event of the run, from TestBegin to TestEnd; null or absent: tracing off. */
  readonly trace?: TraceSink | null;
  /** Receives the lab-style lines (title, Passed or FAIL), with the virtual time (ms) each was printed at. */
  readonly output?: (line: string, atMs: number) => void;
  /**
   * What the Raft prints during the run (sim/print-capture.ts) goes into the trace as Print rows and on
   * to the stdout/stderr writer in place; with `labelPrints`, each line passed on is prefixed with its
   * peer and virtual time.
   */
  readonly labelPrints?: boolean;
  /** The restart probes' copies' prints are passed on, labelled, instead of dropped (never traced). */
  readonly showProbeOutput?: boolean;
  /** Virtual ms per wall ms (1 = real time); the run itself is the same as unpaced. */
  readonly pace?: number;
  /**
   * Whether the simulated network traces every RPC (send, receipt, reply; see src/net/rpc-trace.ts).
   * Default: on for a Raft that does not trace its own RPCs, i.e. any `impl` but ours, unless its make
   * function declares `tracesRpcs: true`. Only matters when `trace` is set.
   */
  readonly netTrace?: boolean;
  /** Checker warnings (the lab's heartbeat limit) fail the run instead of being counted. */
  readonly strict?: boolean;
  /**
   * Wall-clock limit of the run, in ms: past it the run is stopped and fails as "timeout". It takes
   * effect between simulated events; a Raft that blocks the thread inside one event needs an outside
   * watchdog (the CLI has one).
   */
  readonly wallTimeoutMs?: number;
  /**
   * Records the run's decisions into a schedule, and replays the one it was given (src/schedule/).
   * The run's seed is then the session's.
   */
  readonly schedule?: ScheduleSession;
}

export interface RunResult {
  readonly test: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly failure?: RunFailure;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly rpcs: number;
  readonly bytes: number;
  readonly cmds: number;
  readonly peers: number;
  /** Counted warnings by kind (absent when there were none). */
  readonly warnings?: readonly RunWarning[];
}

/** Our Raft, looked up when first needed. */
function defaultImpl(): MakeRaft {
  const make = (raftModule as unknown as { make?: MakeRaft }).make;
  if (typeof make !== "function") throw new ImplLoadError("@raftlab/raft does not export make() yet; pass an implementation with --impl");
  return make;
}

/** The run in progress, for routing an unhandled rejection or exception from the code under test to its run. */
let current: TestContext | null = null;
let rejectionHookInstalled = false;
function installRejectionHook(): void {
  if (rejectionHookInstalled) return;
  rejectionHookInstalled = true;
  const toRun = (what: string) => (reason: unknown) => {
    if (current !== null) {
      current.crash(reason);
      return;
    }
    // Outside any run (a stray real timer of a finished run, say): one line, fail the process, keep going.
    process.stderr.write(`raftlab: ${what} outside any run: ${escapeControls(describeCrash(reason))}\n`);
    process.exitCode = EXIT.FAIL;
  };
  process.on("unhandledRejection", toRun("unhandled promise rejection"));
  // A real setTimeout callback of the Raft that throws: a crash of the run in progress, reported in one
  // line like any other crash, not Node's stack dump.
  process.on("uncaughtException", toRun("uncaught exception"));
}

/** What a Raft under test gets instead of process.exit: the run (or the load) fails, the tester goes on. */
export class ExitAttemptError extends Error {
  override name = "ExitAttemptError";
  constructor(readonly code: unknown) {
    super(`the Raft called process.exit(${code === undefined ? "" : escapeControls(String(code))}); a Raft under test must not end the tester`);
  }
}

/**
 * Runs `body` with process.exit replaced, so code under test cannot end the process and fake a pass.
 * A call records the attempt, tells `onExit`, and throws ExitAttemptError to unwind the caller.
 */
async function withoutExit<T>(onExit: (err: ExitAttemptError) => void, body: () => Promise<T>): Promise<T> {
  const realExit = process.exit;
  const guard = (code?: unknown): never => {
    const err = new ExitAttemptError(code);
    Error.captureStackTrace(err, guard); // report where the Raft called it, not this function
    onExit(err);
    throw err;
  };
  process.exit = guard as typeof process.exit;
  try {
    return await body();
  } finally {
    if (process.exit === guard) process.exit = realExit;
  }
}

/**
 * A test that is not one of the lab's (conformance as a test of `raftlab batch`): run by name like a lab
 * test, but by its own function. Kinds above the runner register themselves here (conform/as-test.ts),
 * so the runner does not import them.
 */
export type TestEntry = (impl: MakeRaft, options: RunOptions) => Promise<RunResult>;

const TEST_ENTRIES = new Map<string, TestEntry>();

export function registerTestEntry(name: string, run: TestEntry): void {
  TEST_ENTRIES.set(name, run);
}

/**
 * Runs one lab test at one seed. Never throws for a failing Raft: a failed check, a violated
 * invariant, the 120 s limit and anything the Raft throws all come back as `failure`. Throws
 * UnknownPatternError for an unknown test name.
 */
export async function runTest(name: string, options: RunOptions): Promise<RunResult> {
  const entry = TEST_ENTRIES.get(name);
  if (entry !== undefined) return entry(options.impl ?? defaultImpl(), options);
  const test = LAB_TESTS.find((t) => t.name === name);
  if (test === undefined) throw new UnknownPatternError(`no test named "${name}" (try: raftlab list)`);
  const impl = options.impl ?? defaultImpl();
  return runLabTest(test, impl, options);
}

/** Whether `impl` emits trace events for its own RPCs: ours does, and any make that says so. */
export function tracesOwnRpcs(impl: MakeRaft): boolean {
  if ((impl as MakeRaft & { tracesRpcs?: unknown }).tracesRpcs === true) return true;
  const ours = (raftModule as unknown as { make?: MakeRaft }).make;
  return impl === ours;
}

/** One lab test's run, set up: its simulator and seeded streams, trace, virtual globals, print capture and context. */
interface LabRun {
  readonly test: LabTest;
  readonly seed: number;
  readonly sim: Simulator;
  readonly t: TestContext;
  readonly guard: TraceGuard | null;
  readonly trace: TraceSink | null;
  readonly globals: VirtualGlobals;
  readonly prints: PrintCapture;
  readonly output: (line: string) => void;
}

/** Sets up one run of `test` at its seed (or its schedule's); nothing of the process is touched yet. */
function prepareLabRun(test: LabTest, impl: MakeRaft, options: RunOptions): LabRun {
  const session = options.schedule ?? null;
  if (session !== null && session.test !== test.name) throw new RangeError(`the schedule is for ${session.test}, not ${test.name}`);
  const seed = session?.seed ?? options.seed;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const rawTrace = options.trace ?? null;
  const rawOutput = options.output ?? ((): void => {});
  const output = (line: string): void => rawOutput(line, sim.now);
  // Independent streams, forked in a fixed order, so adding draws in one never shifts another.
  const root = createPrng(seed);
  const order = root.fork();
  const netRand = root.fork();
  const seededRand = root.fork();
  const peerRand = root.fork();
  // Math.random of a Raft that does not use its Runtime (sim/virtual-globals.ts).
  const seededMathRand = root.fork();
  const sim = new Simulator({ prng: order, limitMs: TEST_LIMIT_MS, maxEvents: MAX_EVENTS_PER_RUN, ...(options.pace ? { pace: options.pace } : {}) });
  // A livelock's millions of same-instant events become a note plus the tail (trace-guard.ts).
  const storm = new StormWatch();
  const guard = rawTrace === null ? null : new TraceGuard(rawTrace, sim, storm);
  const trace = guard === null ? null : guard.sink;
  const netTrace = options.netTrace ?? !tracesOwnRpcs(impl);
  // A schedule sees (and may replace) each draw; without one the streams are used as they are.
  session?.bindClock(() => sim.now);
  const rand = session === null ? seededRand : session.testerStream(seededRand);
  const mathRand = session === null ? seededMathRand : session.mathStream(seededMathRand, () => sim.owner);
  const globals = virtualGlobals({ sim, prng: mathRand, warn: (kind, message) => t.warn(kind, message) });
  const prints = capturePrints({
    now: () => sim.now,
    speaker: () => globals.speaker(),
    trace,
    ...(options.labelPrints === true ? { label: true } : {}),
    ...(options.showProbeOutput === true ? { showProbeOutput: true } : {}),
  });
  const persistenceRequired = test.part !== "3A" && test.part !== "3B";
  const t = new TestContext({
    sim,
    impl: globals.wrapMake(impl),
    trace,
    netTrace,
    strict: options.strict ?? false,
    persistenceRequired,
    output,
    rand,
    netRand,
    peerRand,
    testName: test.name,
    seed,
    schedule: session,
  });
  sim.onError = (err) => t.crash(err);
  sim.afterEvent = (owner) => {
    t.config?.pollState(owner);
    if (storm.tick(sim.now, owner) && t.failure === null) t.fail({ kind: "timeout", message: storm.describe(sim.now) });
  };
  return { test, seed, sim, t, guard, trace, globals, prints, output };
}

/** Why a run whose test body never finished stopped, as its failure. */
function failStopped(t: TestContext, sim: Simulator, stop: Awaited<ReturnType<Simulator["run"]>>): void {
  if (stop === "limit") t.fail({ kind: "timeout", message: `test took longer than ${TEST_LIMIT_MS / 1000} seconds` });
  else if (stop === "livelock") {
    const traffic = t.config?.net.instantTraffic() ?? [];
    t.fail({ kind: "timeout", message: describeLivelock(sim.now, sim.frozenEvents, traffic, sim.frozenByOwner) });
  } else if (stop === "events")
    t.fail({ kind: "timeout", message: `more than ${MAX_EVENTS_PER_RUN} events without finishing (a Raft that loops in zero virtual time?)` });
  else t.fail({ kind: "fail", message: "the test is waiting, but nothing is left to happen (no pending events)" });
}

/**
 * Runs the test body on the simulator, with the virtual globals and print capture installed and
 * process.exit guarded, and puts everything back. True when the body finished with no failure.
 */
async function driveLabRun(r: LabRun, wallTimeoutMs: number | undefined): Promise<boolean> {
  const { test, sim, t, globals, prints } = r;
  installRejectionHook();
  const previous = current;
  current = t;
  let passed = false;
  const wallLimit =
    wallTimeoutMs === undefined
      ? null
      : setTimeout(() => {
          t.fail({ kind: "timeout", message: `no result after ${wallTimeoutMs / 1000} s of wall-clock time (--timeout)` });
        }, wallTimeoutMs);
  // The Raft's own setTimeout, Date.now, Math.random... run on the simulator until the run ends.
  globals.install();
  prints.install();
  // process.exit is guarded for the whole run, kill() included: a Raft cannot end the tester and fake a pass.
  await withoutExit(
    (err) => t.crash(err),
    async () => {
      try {
        let body: Promise<void>;
        try {
          body = test.run(t);
        } catch (err) {
          body = Promise.reject(err);
        }
        body.then(
          () => {
            passed = t.failure === null;
            sim.stop();
          },
          (err: unknown) => {
            t.crash(err);
            sim.stop();
          },
        );
        const stop = await sim.run();
        if (!passed && t.failure === null) failStopped(t, sim, stop);
      } finally {
        if (wallLimit !== null) clearTimeout(wallLimit);
        try {
          t.config?.cleanup();
        } catch (err) {
          if (t.failure === null) t.fail({ kind: "crash", message: `kill() threw: ${describeCrash(err)}` });
        }
        current = previous;
        prints.restore();
        globals.restore();
      }
    },
  );
  return passed;
}

async function runLabTest(test: LabTest, impl: MakeRaft, options: RunOptions): Promise<RunResult> {
  const wall0 = performance.now();
  const r = prepareLabRun(test, impl, options);
  const { seed, sim, t, trace, output } = r;
  if (trace !== null) trace(harnessEvent(0, "TestBegin", "TEST", `${test.name} seed ${seed}`, { test: test.name, seed }));
  const passed = await driveLabRun(r, options.wallTimeoutMs);

  const failure = t.failure;
  const ok = passed && failure === null;
  const wallMs = performance.now() - wall0;
  const stats = t.config?.stats() ?? { virtualMs: sim.now, peers: test.servers, rpcs: 0, bytes: 0, cmds: 0 };
  if (!ok && failure !== null) {
    if (t.config === null || t.config.title === "") output(`Test ${test.name} ...`);
    output(`--- FAIL: ${test.name} (${(sim.now / 1000).toFixed(1)}s virtual, ${Math.round(wallMs)}ms wall)`);
    output(`    ${failure.kind === "fail" ? "" : `[${failure.kind}] `}${failure.message}`);
  }
  r.guard?.close();
  t.emitFailure();
  if (trace !== null) trace(harnessEvent(sim.now, "TestEnd", "TEST", `${test.name} ${ok ? "passed" : "FAILED"}`, { test: test.name, ok }));
  return {
    test: test.name,
    seed,
    ok,
    ...(failure !== null ? { failure } : {}),
    virtualMs: sim.now,
    wallMs,
    rpcs: stats.rpcs,
    bytes: stats.bytes,
    cmds: stats.cmds,
    peers: stats.peers,
    ...(t.warnings.size > 0 ? { warnings: t.warningList() } : {}),
  };
}

/**
 * Loads a Raft implementation: a module exporting `make: MakeRaft`, as a named export or as the
 * default export (a function, or an object with `make`), compiled ESM or CommonJS (`exports.make`, even
 * under a "type": "module" package). A .ts path gets a hint to compile it. Throws ImplLoadError with one line.
 */
export async function loadImpl(modulePath: string): Promise<MakeRaft> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(modulePath) && !/^[a-z]:[\\/]/i.test(modulePath) ? modulePath : pathToFileURL(resolvePath(modulePath)).href;
  if (url.startsWith("file:")) {
    const dirHint = directoryHint(fileURLToPath(url), modulePath);
    if (dirHint !== null) throw new ImplLoadError(dirHint);
  }
  let mod: Record<string, unknown>;
  let exitAttempt: ExitAttemptError | null = null;
  try {
    mod = await withoutExit(
      (err) => (exitAttempt = err),
      // Under the virtual clock at time 0: a module-level `const start = Date.now()` sees each test's epoch.
      () =>
        withLoadClock(async () => {
          try {
            return (await import(url)) as Record<string, unknown>;
          } catch (err) {
            // Compiled CommonJS under a "type": "module" package: run it as the CommonJS it is (harness/commonjs.ts).
            if (!isCommonJsInEsmScope(err) || !url.startsWith("file:")) throw err;
            return { default: loadCommonJs(fileURLToPath(url)) };
          }
        }),
    );
  } catch (err) {
    if (exitAttempt !== null) throw new ImplLoadError(`cannot load ${modulePath}: it called process.exit() while loading`);
    if (/\.(c|m)?tsx?$/.test(modulePath)) {
      // Node 20 cannot run TypeScript; say what to pass instead of Node's "Unknown file extension".
      const js = modulePath.replace(/\.(c|m)?tsx?$/, (_m, k: string | undefined) => `.${k ?? ""}js`);
      throw new ImplLoadError(
        `cannot load ${modulePath}: Node cannot run TypeScript; compile it (tsc, or npm run build) and pass the compiled file, e.g. --impl ${js.includes("dist/") ? js : `dist/${basename(js)}`}`,
      );
    }
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    // The isolated child froze the built-ins (isolation/freeze.ts): say so instead of a bare TypeError.
    const frozen = err instanceof TypeError && /read[- ]only property|not extensible|Cannot (redefine|define|add) property/.test(why);
    throw new ImplLoadError(`cannot load ${modulePath}: ${why}${frozen ? " (it changes a built-in: raftlab freezes them before loading a Raft)" : ""}`);
  }
  // Caught and swallowed by the module itself: still a module that tries to end the tester.
  if (exitAttempt !== null) throw new ImplLoadError(`cannot load ${modulePath}: it called process.exit() while loading`);
  // ESM `export const make`, `export default make` or `{ make }`; CommonJS `exports.make` or `module.exports = make`.
  const candidates: unknown[] = [mod.make, mod.default, (mod.default as { make?: unknown } | undefined)?.make];
  const make = candidates.find((c) => typeof c === "function");
  if (make === undefined)
    throw new ImplLoadError(`${modulePath} exports no make() function (expected: export const make: MakeRaft = ..., or exports.make = ... in CommonJS)`);
  return make as MakeRaft;
}

/**
 * For a directory given as the module (`--impl dist`): one line naming the file to pass instead (Node's
 * own error is "Directory import ... is not supported"). Null when `path` is not a directory.
 */
function directoryHint(path: string, given: string): string | null {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return null; // missing: the import says so
  }
  if (!isDir) return null;
  let files: string[] = [];
  try {
    files = readdirSync(path).filter((f) => /\.(c|m)?js$/.test(f));
  } catch {
    // unreadable: no suggestion
  }
  const pick = ["raft.js", "index.js", "raft.mjs", "index.mjs"].find((f) => files.includes(f)) ?? (files.length === 1 ? files[0] : undefined);
  const base = given.replace(/[\\/]+$/, "");
  const suggestion = pick !== undefined ? `pass the compiled file, e.g. --impl ${joinPath(base, pick)}` : "pass the compiled .js file that exports make";
  return `cannot load ${given}: it is a directory; ${suggestion}`;
}
