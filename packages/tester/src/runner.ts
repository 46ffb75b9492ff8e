// The runner API: list and match the lab tests, run one (test, seed) pair on the simulator, load a
// Raft implementation from a module. `raftlab run` and `raftlab batch` are built on exactly this.

import * as raftModule from "@raftlab/raft";
import { createPrng, type MakeRaft, type TraceSink } from "@raftlab/raft";
import { pathToFileURL } from "node:url";
import { resolve as resolvePath } from "node:path";
import { TestContext } from "./harness/context.js";
import { harnessEvent } from "./harness/events.js";
import { describeCrash, type RunFailure } from "./harness/failure.js";
import { Simulator } from "./sim/simulator.js";
import { LAB_TESTS } from "./tests/index.js";
import type { LabTest, TestSpec } from "./tests/spec.js";

export type { TestSpec, Part } from "./tests/spec.js";
export type { RunFailure, FailureKind } from "./harness/failure.js";

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
  /** Receives the lab-style lines (title, Passed or FAIL). */
  readonly output?: (line: string) => void;
  /** Virtual ms per wall ms (1 = real time); the run itself is the same as unpaced. */
  readonly pace?: number;
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
}

/** Our Raft, looked up when first needed. */
function defaultImpl(): MakeRaft {
  const make = (raftModule as unknown as { make?: MakeRaft }).make;
  if (typeof make !== "function") throw new ImplLoadError("@raftlab/raft does not export make() yet; pass an implementation with --impl");
  return make;
}

/** The run in progress, for routing an unhandled rejection from the code under test to its run. */
let current: TestContext | null = null;
let rejectionHookInstalled = false;
function installRejectionHook(): void {
  if (rejectionHookInstalled) return;
  rejectionHookInstalled = true;
  process.on("unhandledRejection", (reason) => {
    if (current !== null) {
      current.crash(reason);
      return;
    }
    // Outside any run: not the Raft's doing. Report it, fail the process, keep going.
    process.stderr.write(`raftlab: unhandled promise rejection: ${describeCrash(reason)}\n`);
    process.exitCode = 1;
  });
}

/**
 * Runs one lab test at one seed. Never throws for a failing Raft: a failed check, a violated
 * invariant, the 120 s limit and anything the Raft throws all come back as `failure`. Throws
 * UnknownPatternError for an unknown test name.
 */
export async function runTest(name: string, options: RunOptions): Promise<RunResult> {
  const test = LAB_TESTS.find((t) => t.name === name);
  if (test === undefined) throw new UnknownPatternError(`no test named "${name}" (try: raftlab list)`);
  const impl = options.impl ?? defaultImpl();
  return runLabTest(test, impl, options);
}

async function runLabTest(test: LabTest, impl: MakeRaft, options: RunOptions): Promise<RunResult> {
  const seed = options.seed;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const trace = options.trace ?? null;
  const output = options.output ?? ((): void => {});
  const wall0 = performance.now();
  // Independent streams, forked in a fixed order, so adding draws in one never shifts another.
  const root = createPrng(seed);
  const order = root.fork();
  const netRand = root.fork();
  const rand = root.fork();
  const peerRand = root.fork();
  const sim = new Simulator({ prng: order, limitMs: TEST_LIMIT_MS, maxEvents: MAX_EVENTS_PER_RUN, ...(options.pace ? { pace: options.pace } : {}) });
  const t = new TestContext({ sim, impl, trace, output, rand, netRand, peerRand, testName: test.name, seed });
  sim.onError = (err) => t.crash(err);
  sim.afterEvent = (owner) => t.config?.pollState(owner);
  if (trace !== null) trace(harnessEvent(0, "TestBegin", "TEST", `${test.name} seed ${seed}`, { test: test.name, seed }));

  installRejectionHook();
  const previous = current;
  current = t;
  let passed = false;
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
    if (!passed && t.failure === null) {
      if (stop === "limit") t.fail({ kind: "timeout", message: `test took longer than ${TEST_LIMIT_MS / 1000} seconds` });
      else if (stop === "events") t.fail({ kind: "timeout", message: `more than ${MAX_EVENTS_PER_RUN} events without finishing (a Raft that loops in zero virtual time?)` });
      else t.fail({ kind: "fail", message: "the test is waiting, but nothing is left to happen (no pending events)" });
    }
  } finally {
    try {
      t.config?.cleanup();
    } catch (err) {
      if (t.failure === null) t.fail({ kind: "crash", message: `kill() threw: ${describeCrash(err)}` });
    }
    current = previous;
  }

  const failure = t.failure;
  const ok = passed && failure === null;
  const wallMs = performance.now() - wall0;
  const stats = t.config?.stats() ?? { virtualMs: sim.now, peers: test.servers, rpcs: 0, bytes: 0, cmds: 0 };
  if (!ok && failure !== null) {
    if (t.config === null || t.config.title === "") output(`Test ${test.name} ...`);
    output(`--- FAIL: ${test.name} (${(sim.now / 1000).toFixed(1)}s virtual, ${Math.round(wallMs)}ms wall)`);
    output(`    ${failure.kind === "fail" ? "" : `[${failure.kind}] `}${failure.message}`);
  }
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
  };
}

/**
 * Loads a Raft implementation: a module exporting `make: MakeRaft`, as a named export or as the
 * default export (a function, or an object with `make`). Throws ImplLoadError with one line.
 */
export async function loadImpl(modulePath: string): Promise<MakeRaft> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(modulePath) && !/^[a-z]:[\\/]/i.test(modulePath) ? modulePath : pathToFileURL(resolvePath(modulePath)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const hint = /\.(c|m)?tsx?$/.test(modulePath) ? " (Node cannot import TypeScript directly: compile it with tsc and pass the .js file)" : "";
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    throw new ImplLoadError(`cannot load ${modulePath}: ${why}${hint}`);
  }
  const candidates: unknown[] = [mod.make, mod.default, (mod.default as { make?: unknown } | undefined)?.make];
  const make = candidates.find((c) => typeof c === "function");
  if (make === undefined) throw new ImplLoadError(`${modulePath} exports no make() function (expected: export const make: MakeRaft = ...)`);
  return make as MakeRaft;
}
