// The run loop every run kind shares: rounds (one, or --loop's growing ones), a few slots running in
// parallel, the failure cap (--fail-fast is a cap of 1, stress adds --max-failures), a clean stop on
// an interrupt, and the tally of finished runs. A kind drives it with its own "execute one run" (a
// batch: a test at a seed in a worker thread; stress: one iteration of a command); the loop decides
// when to take the next run and when to stop.

import { EXIT, type Style } from "@raftlab/raft/terminal";
import type { Progress } from "./progress.js";
import type { RunRecord } from "./record.js";
import { BatchTally } from "./stats.js";
import { formatTotalsLine } from "./table.js";

/** Passing runs kept in memory and listed in a report by default; beyond this they are only counted. */
export const MAX_PASSING_RUNS_KEPT = 200_000;

/** What one executed run came to; "cancelled" runs (cut short by a stop) count as not run. */
export type RunVerdict = "passed" | "failed" | "cancelled";

/** What a run kind gives the loop. */
export interface RunKindDriver<J> {
  /**
   * The runs of round `round` still to execute: the kind builds its list, shards it, drops what an
   * earlier report already has, and tells its progress about the round.
   */
  planRound(round: number): readonly J[];
  /** Executes one run on slot `slot` (0-based, below the loop's slots) and records its results. */
  executeOne(job: J, slot: number): Promise<RunVerdict>;
}

export interface RunLoopOptions {
  /** Runs executed at once (at least 1). */
  readonly slots: number;
  /** --loop: rounds go on until an interrupt or the failure cap; else one round. */
  readonly loop: boolean;
  /** Stop once this many runs have failed (--fail-fast: 1; null: no cap). */
  readonly maxFailures: number | null;
  /** Aborting it is an interrupt (Ctrl-C): runs in flight are cancelled, the loop ends cleanly. */
  readonly signal?: AbortSignal;
  /** Passing runs kept in memory (failures are always kept); later ones are only counted. */
  readonly maxPassingKept: number;
  /** Tests that appear in the tally even before (or without) a finished run. */
  readonly tests?: readonly string[];
  readonly progress: Progress;
  readonly style: Style;
}

/** The finished runs: every one counted in the tally, failures and the first passing ones kept. */
export class RunTally<R extends RunRecord> {
  readonly tally = new BatchTally();
  /** Passing runs finished beyond the cap: counted, not kept. */
  omittedPassing = 0;
  private readonly kept: { readonly index: number; readonly record: R }[] = [];
  private keptPassing = 0;

  constructor(
    private readonly maxPassingKept: number,
    tests: readonly string[] = [],
  ) {
    for (const t of tests) this.tally.ensure(t);
  }

  /** A finished run at `index` of the whole list (several results may share one index). */
  add(index: number, record: R): void {
    if (record.ok && this.keptPassing >= this.maxPassingKept) this.omittedPassing += 1;
    else {
      if (record.ok) this.keptPassing += 1;
      this.kept.push({ index, record });
    }
    this.tally.add(record);
  }

  /** A run taken from an earlier report (--resume): counted and always kept. */
  restore(index: number, record: R): void {
    this.kept.push({ index, record });
    this.tally.add(record);
  }

  /** The kept runs in the order they finished. */
  get finished(): readonly R[] {
    return this.kept.map((k) => k.record);
  }

  /** The kept runs in run-list order. */
  inListOrder(): R[] {
    return [...this.kept].sort((a, b) => a.index - b.index).map((k) => k.record);
  }
}

/** One loop over a kind's runs; its state says how it ended. */
export class RunLoop<R extends RunRecord> {
  readonly results: RunTally<R>;
  /** The signal was aborted (Ctrl-C). */
  interrupted: boolean;
  /** Stopped by the failure cap, or by the kind (stop()). */
  stoppedEarly = false;
  /** Runs of the lists that never finished (an interrupt, the cap). */
  notRun = 0;
  /** Runs executed that failed (what the cap counts). */
  failures = 0;
  private readonly stopper = new AbortController();
  private readonly onAbort = (): void => {
    this.interrupted = true;
    this.stopper.abort();
  };

  /** Listens for the interrupt from now until close(), so that one during the kind's own epilogue counts. */
  constructor(private readonly options: RunLoopOptions) {
    this.results = new RunTally<R>(options.maxPassingKept, options.tests);
    this.interrupted = options.signal?.aborted === true;
    if (this.interrupted) this.stopper.abort();
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Stops listening for the interrupt. */
  close(): void {
    this.options.signal?.removeEventListener("abort", this.onAbort);
  }

  /** Aborted once the loop stops for any reason: kinds cancel their runs in flight on it. */
  get stopSignal(): AbortSignal {
    return this.stopper.signal;
  }

  get stopping(): boolean {
    return this.interrupted || this.stoppedEarly;
  }

  /** Stops early (the kind cannot go on, e.g. it cannot save artifacts): no new runs start. */
  stop(): void {
    if (this.stoppedEarly) return;
    this.stoppedEarly = true;
    this.stopper.abort();
  }

  /** Runs rounds until the list is done (or, with --loop, until a stop). */
  async drive<J>(driver: RunKindDriver<J>): Promise<void> {
    for (let round = 0; !this.stopping; round++) {
      const list = driver.planRound(round);
      const finished = await this.runRound(list, driver);
      this.notRun += list.length - finished;
      if (!this.options.loop) break;
      if (!this.stopping) this.options.progress.print(this.options.style.dim(`round ${round + 1} done: ${formatTotalsLine(this.results.tally)} so far\n`));
    }
  }

  /** 130 interrupted; 1 some run failed (or `alsoFailed`, e.g. artifacts could not be saved); else 0. */
  exitCode(alsoFailed = false): number {
    if (this.interrupted) return EXIT.INTERRUPTED;
    return this.results.tally.failed > 0 || alsoFailed ? EXIT.FAIL : EXIT.OK;
  }

  /** One round: each slot takes the next run until the list is done or the loop stops; returns runs finished. */
  private async runRound<J>(list: readonly J[], driver: RunKindDriver<J>): Promise<number> {
    let next = 0;
    let finished = 0;
    const slot = async (index: number): Promise<void> => {
      while (!this.stopping) {
        const job = list[next];
        if (job === undefined) return;
        next += 1;
        const verdict = await driver.executeOne(job, index);
        if (verdict === "cancelled") return;
        finished += 1;
        if (verdict === "failed") this.countFailure();
      }
    };
    const lanes = Math.min(Math.max(1, this.options.slots), list.length);
    await Promise.all(Array.from({ length: lanes }, (_, i) => slot(i)));
    return finished;
  }

  private countFailure(): void {
    this.failures += 1;
    const cap = this.options.maxFailures;
    if (cap !== null && this.failures >= cap) this.stop();
  }
}
