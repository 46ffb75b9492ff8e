// The per-run context a test body receives (Go's *testing.T plus the tester's randomness): virtual
// sleeps, the test's own seeded rand, coroutines ("goroutines") and fatal failures that stop the whole
// run at once, so nothing of a failed run leaks into the next.

import type { MakeRaft, Prng, TraceSink } from "@raftlab/raft";
import { InvariantChecker, type Violation } from "../invariants/checker.js";
import type { Simulator } from "../sim/simulator.js";
import { Config } from "./config.js";
import { emitHarness, harnessEvent } from "./events.js";
import { describeCrash, TestFailure, type RunFailure } from "./failure.js";

export interface ContextOptions {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
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
}

/** Go's rand.Int() range, kept within 31 bits so commands stay small, exact integers. */
const RAND_INT_SPAN = 2 ** 31;

export class TestContext {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
  readonly rand: Prng;
  readonly netRand: Prng;
  readonly peerRand: Prng;
  readonly checker: InvariantChecker;
  failure: RunFailure | null = null;
  config: Config | null = null;
  private readonly out: (line: string) => void;
  private readonly testName: string;
  private readonly seed: number;

  constructor(opts: ContextOptions) {
    this.sim = opts.sim;
    this.impl = opts.impl;
    this.trace = opts.trace;
    this.out = opts.output;
    this.rand = opts.rand;
    this.netRand = opts.netRand;
    this.peerRand = opts.peerRand;
    this.testName = opts.testName;
    this.seed = opts.seed;
    this.checker = new InvariantChecker((v) => this.violation(v));
  }

  /** make_config(t, n, unreliable, snapshot). */
  makeConfig(n: number, unreliable: boolean, snapshot: boolean): Config {
    const cfg = new Config(this, n, unreliable, snapshot);
    this.config = cfg;
    return cfg;
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
    if (err instanceof TestFailure) return;
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
