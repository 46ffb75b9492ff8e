// The per-run context a test body receives (Go's *testing.T plus the tester's randomness): virtual
// sleeps, the test's own seeded rand, coroutines ("goroutines") and fatal failures that stop the whole
// run at once, so nothing of a failed run leaks into the next.

import type { MakeRaft, Prng, TraceSink } from "@raftlab/raft";
import { InvariantChecker, type InvariantName, type Violation, type Warning } from "../invariants/checker.js";
import type { Simulator } from "../sim/simulator.js";
import { Config } from "./config.js";
import type { ConfigHost, ScheduleHooks } from "./host.js";
export type { ScheduleHooks } from "./host.js";
import { emitHarness, harnessEvent } from "../net/events.js";
import { describeCrash, TestFailure, type RunFailure } from "./failure.js";

export interface ContextOptions {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
  /** The network traces every RPC itself (for a Raft that traces none). */
  readonly netTrace?: boolean;
  readonly output: (line: string) => void;
  /** The test's own randomness (Go's math/rand in test_test.go and config.go). */
  readonly rand: Prng;
  /** The network's fault decisions. */
  readonly netRand: Prng;
  /** Forked once per peer incarnation. */
  readonly peerRand: Prng;
  /** For the TestFail event. */
  readonly testName: string;
  readonly seed: number;
  /** Warnings of the invariant checker (e.g. Heartbeat Rate) fail the run instead of being counted. */
  readonly strict?: boolean;
  /** Records (and replays) the run's decisions; null or absent: they come from the seed alone. */
  readonly schedule?: ScheduleHooks | null;
  /** A missing persist fails the run (3C, 3D: the default) rather than being a counted warning (3A, 3B). */
  readonly persistenceRequired?: boolean;
}

/** Warnings of one kind in one run: how many, and the first one's message. */
export interface RunWarning {
  readonly kind: string;
  readonly count: number;
  readonly message: string;
}

/** The lab's own warning kind (TestInitialElection3A); the lab never fails on it, nor does --strict. */
export const TERM_CHANGED = "Term Changed";

/** Go's rand.Int() range, kept within 31 bits so commands stay small, exact integers. */
const RAND_INT_SPAN = 2 ** 31;

export class TestContext implements ConfigHost {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
  readonly netTrace: boolean;
  readonly rand: Prng;
  readonly netRand: Prng;
  readonly peerRand: Prng;
  readonly checker: InvariantChecker;
  readonly schedule: ScheduleHooks | null;
  failure: RunFailure | null = null;
  /** Counted warnings, by kind, in the order first seen. */
  readonly warnings = new Map<string, { count: number; message: string }>();
  private readonly strict: boolean;
  config: Config | null = null;
  private readonly out: (line: string) => void;
  private readonly testName: string;
  private readonly seed: number;

  constructor(opts: ContextOptions) {
    this.sim = opts.sim;
    this.impl = opts.impl;
    this.trace = opts.trace;
    this.netTrace = opts.netTrace ?? false;
    this.out = opts.output;
    this.rand = opts.rand;
    this.netRand = opts.netRand;
    this.peerRand = opts.peerRand;
    this.testName = opts.testName;
    this.seed = opts.seed;
    this.strict = opts.strict ?? false;
    this.schedule = opts.schedule ?? null;
    this.checker = new InvariantChecker(
      (v) => this.violation(v),
      (w) => this.checkerWarning(w),
      { persistenceRequired: opts.persistenceRequired ?? true },
    );
  }

  /** make_config(t, n, unreliable, snapshot). */
  makeConfig(n: number, unreliable: boolean, snapshot: boolean): Config {
    const cfg = new Config(this, n, unreliable, snapshot);
    this.config = cfg;
    return cfg;
  }

  /** The PRNG stream of a new incarnation of server `peer`. */
  peerPrng(peer: number): Prng {
    const forked = this.peerRand.fork();
    return this.schedule === null ? forked : this.schedule.peerStream(peer, forked);
  }

  /** time.Sleep on the virtual clock. */
  sleep(ms: number): Promise<void> {
    return this.sim.sleep(ms);
  }

  /** rand.Int(). */
  randInt(): number {
    return this.rand.int(RAND_INT_SPAN);
  }

  print(line: string): void {
    this.out(line);
  }

  /**
   * A counted warning: printed (as the lab prints its warnings) and traced the first time per kind,
   * counted every time. Returns nothing; never fails the run.
   */
  warn(kind: string, message: string): void {
    const w = this.warnings.get(kind);
    if (w !== undefined) {
      w.count++;
      return;
    }
    this.warnings.set(kind, { count: 1, message });
    this.out(`warning: ${message}`);
    emitHarness(this.trace, this.sim.now, "Note", "WARN", `warning: ${message}`, { reason: kind });
  }

  /** The warnings of this run, for its result. */
  warningList(): RunWarning[] {
    return [...this.warnings].map(([kind, w]) => ({ kind, count: w.count, message: w.message }));
  }

  private checkerWarning(w: Warning): void {
    if (this.failure !== null) return;
    if (this.strict) {
      this.violation({ invariant: w.kind as InvariantName, message: `${w.kind} violated (--strict): ${w.message}`, peers: w.peers, term: w.term, index: -1 });
      return;
    }
    this.warn(w.kind, `${w.kind}: ${w.message}`);
  }

  /** t.Fatalf: records the failure, stops the run and unwinds the calling test body. */
  fatal(message: string): never {
    this.fail({ kind: "fail", message });
    throw new TestFailure(message);
  }

  /** The TestFail event: emitted by the runner after cleanup, just before TestEnd. */
  emitFailure(): void {
    if (this.failure === null) return;
    emitHarness(this.trace, this.sim.now, "TestFail", "ERRO", this.failure.message, { test: this.testName, seed: this.seed, ok: false });
  }

  /** Records the first failure and stops the simulator; never throws (safe inside Raft callbacks). */
  fail(failure: RunFailure): void {
    if (this.failure !== null) return;
    this.failure = failure;
    this.sim.stop();
  }

  /** Anything the code under test threw. */
  crash(err: unknown): void {
    // instanceof runs a Proxy's getPrototypeOf trap: what the Raft threw must not throw again here.
    let unwinding = false;
    try {
      unwinding = err instanceof TestFailure;
    } catch {
      // a Proxy whose trap throws: the Raft's, not a TestFailure
    }
    if (unwinding) return;
    this.fail({ kind: "crash", message: describeCrash(err) });
  }

  /** `go func() {...}()`: a coroutine whose failure fails the run. */
  go<T>(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    p.catch((err: unknown) => this.crash(err));
    return p;
  }

  private violation(v: Violation): void {
    if (this.failure !== null) return;
    const peer = v.peers[0];
    if (this.trace !== null) {
      const fields = { reason: v.invariant, ...(peer === undefined ? {} : { peer }), ...(v.index >= 0 ? { index: v.index } : {}) };
      // docs/trace-format.md: a Violation carries the term it is about.
      this.trace({ ...harnessEvent(this.sim.now, "Violation", "ERRO", v.message, fields), term: v.term });
    }
    this.fail({ kind: "violation", message: v.message, invariant: v.invariant });
  }
}
