// Per-test statistics for the summary table, accumulated online (Welford) so a batch never keeps
// per-run samples just to print a mean and a standard deviation.

import type { RunRecord } from "./record.js";

/** Welford's online mean and variance. */
export class RunningStat {
  private n = 0;
  private meanValue = 0;
  private m2 = 0;

  add(x: number): void {
    this.n += 1;
    const delta = x - this.meanValue;
    this.meanValue += delta / this.n;
    this.m2 += delta * (x - this.meanValue);
  }

  get count(): number {
    return this.n;
  }

  /** NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.meanValue;
  }

  /** Sample standard deviation; 0 for a single sample, NaN when empty. */
  get stddev(): number {
    if (this.n === 0) return Number.NaN;
    if (this.n === 1) return 0;
    return Math.sqrt(this.m2 / (this.n - 1));
  }
}

export interface TestTally {
  readonly test: string;
  total: number;
  failed: number;
  /** Runs with at least one counted warning of the checker, and those warnings in all. */
  warned: number;
  warnings: number;
  readonly virtualMs: RunningStat;
  readonly wallMs: RunningStat;
}

/** Per-test tallies, kept in the order tests were first registered. */
export class BatchTally {
  private readonly byTest = new Map<string, TestTally>();
  passed = 0;
  failed = 0;

  /** Registers a test so that it appears in the table even before (or without) any finished run. */
  ensure(test: string): TestTally {
    let t = this.byTest.get(test);
    if (t === undefined) {
      t = { test, total: 0, failed: 0, warned: 0, warnings: 0, virtualMs: new RunningStat(), wallMs: new RunningStat() };
      this.byTest.set(test, t);
    }
    return t;
  }

  add(record: RunRecord): void {
    const t = this.ensure(record.test);
    t.total += 1;
    if (record.ok) this.passed += 1;
    else {
      t.failed += 1;
      this.failed += 1;
    }
    if (record.warnings !== undefined && record.warnings.length > 0) {
      t.warned += 1;
      for (const w of record.warnings) t.warnings += w.count;
    }
    if (record.virtualMs !== null) t.virtualMs.add(record.virtualMs);
    t.wallMs.add(record.wallMs);
  }

  get tests(): readonly TestTally[] {
    return [...this.byTest.values()];
  }

  get total(): number {
    return this.passed + this.failed;
  }
}
