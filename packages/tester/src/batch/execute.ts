// The batch as a run kind: what the shared run loop (runs/loop.ts) calls. Each round is the run list
// (sharded, minus what --resume already has); each run is one (test, seed) in a worker slot, a hung
// untraced run is run once more traced, a stopped run gets its artifacts written here, and every
// finished run goes to the tally, the journal, the progress display and the caller's onResult.

import { join } from "node:path";
import type { Progress } from "../runs/progress.js";
import type { RunRecord } from "../runs/record.js";
import type { RunLoop, RunKindDriver, RunVerdict } from "../runs/loop.js";
import { buildRunList, loopRoundIterations, shardRunList, type RunItem, type Shard } from "../runs/runlist.js";
import { saveErrorText } from "../runs/artifacts.js";
import { JOURNAL_FILE, type Journal } from "../runs/journal.js";
import type { WorkerSlot } from "./pool.js";
import type { BatchSlots } from "./slots.js";
import { describeRerun, recordStopped, type StoppedContext, type StoppedOutcome } from "./stopped.js";

/** A run and its position in the whole batch, so records sort back into run-list order. */
export interface IndexedRun {
  readonly index: number;
  readonly item: RunItem;
}

/** The batch settings the rounds and runs need. */
export interface BatchRunSettings extends StoppedContext {
  readonly tests: readonly string[];
  readonly iterations: number;
  readonly seedStart: number;
  readonly sequential: boolean;
  readonly shard: Shard | null;
  readonly loop: boolean;
  readonly growth: number;
  /** Runs go untraced until they fail (worker.ts); a hung one is then run again traced ("diagnose"). */
  readonly untraced: boolean;
  readonly onResult?: (record: RunRecord) => void;
}

export class BatchRuns implements RunKindDriver<IndexedRun> {
  /** Runs taken from the --resume report instead of being run. */
  resumed = 0;
  /** The first error saving a run's artifacts or the journal (one line); the batch stopped there. */
  saveError: string | null = null;
  /** Seeds of the rounds so far, so each --loop round gets fresh ones. */
  private listOffset = 0;
  private runIndexBase = 0;
  private readonly previous = new Map<string, RunRecord>();

  constructor(
    private readonly settings: BatchRunSettings,
    private readonly loop: RunLoop<RunRecord>,
    private readonly slots: BatchSlots,
    private readonly progress: Progress,
    previousRuns: readonly RunRecord[],
    /** The output folder's journal (runs/journaled-folder.ts), open from before the first run. */
    private readonly journal: Journal,
  ) {
    for (const r of previousRuns) this.previous.set(runKey(r.test, r.seed), r);
  }

  /** Stops the batch at the first artifact it cannot save: every later failure would be lost the same way. */
  failSave(message: string): void {
    if (this.saveError !== null) return;
    this.saveError = message;
    this.loop.stop();
  }

  planRound(round: number): IndexedRun[] {
    const s = this.settings;
    const iterations = s.loop ? loopRoundIterations(s.iterations, s.growth, round, s.tests.length) : s.iterations;
    let full = buildRunList({ tests: s.tests, iterations, seedStart: s.seedStart + this.listOffset, sequential: s.sequential });
    this.listOffset += iterations;
    if (s.shard !== null) full = shardRunList(full, s.shard);
    const whole: IndexedRun[] = full.map((item, i) => ({ index: this.runIndexBase + i, item }));
    this.runIndexBase += whole.length;
    const totals = new Map<string, number>();
    for (const t of s.tests) totals.set(t, 0);
    for (const { item } of whole) totals.set(item.test, (totals.get(item.test) ?? 0) + 1);
    this.progress.startRound(round, totals);
    return this.withoutResumed(whole);
  }

  async executeOne(job: IndexedRun, slotIndex: number): Promise<RunVerdict> {
    const slot = this.slots.slots[slotIndex] as WorkerSlot;
    let outcome = await slot.execute(job.item);
    if (outcome.type === "cancelled") return "cancelled";
    if (outcome.type === "stopped" && outcome.kind === "timeout" && this.settings.untraced && !this.loop.stopping) {
      const diagnosed = await this.diagnoseHang(slot, job.item, outcome);
      if (diagnosed === null) return "cancelled";
      outcome = diagnosed;
    }
    const saved = outcome.type === "done" ? outcome : recordStopped(this.settings, this.slots.spillPath(slotIndex), job.item, outcome);
    this.finish(job.index, saved.record);
    if (saved.saveError !== undefined) this.failSave(saved.saveError);
    return saved.record.ok ? "passed" : "failed";
  }

  /** --resume: runs the previous report already has count as done and are not run again. */
  private withoutResumed(whole: readonly IndexedRun[]): IndexedRun[] {
    const list: IndexedRun[] = [];
    for (const job of whole) {
      const key = runKey(job.item.test, job.item.seed);
      const prior = this.previous.get(key);
      if (prior === undefined) {
        list.push(job);
        continue;
      }
      this.previous.delete(key);
      this.resumed += 1;
      this.loop.results.restore(job.index, prior);
      this.journalRun(prior);
      this.progress.resumed(prior);
    }
    return list;
  }

  /**
   * A run hung untraced: run it once more, traced from the start, to keep the trace's tail up to the
   * hang (the same seed is the same run). This costs a second --timeout for each hung run. Null when
   * the re-run was cancelled.
   */
  private async diagnoseHang(slot: WorkerSlot, item: RunItem, first: StoppedOutcome): Promise<StoppedOutcome | null> {
    const again = await slot.execute(item, "diagnose");
    if (again.type === "cancelled") return null;
    return again.type === "stopped" && again.kind === "timeout"
      ? { ...first, trace: again.trace, output: again.output }
      : { ...first, trace: null, note: describeRerun(again) };
  }

  /** A journal write error stops the batch as an unsavable artifact does. */
  private journalRun(record: RunRecord): void {
    try {
      this.journal.append(record);
    } catch (e) {
      this.failSave(`${JOURNAL_FILE}: ${saveErrorText(e)}`);
    }
  }

  private finish(index: number, record: RunRecord): void {
    this.loop.results.add(index, record);
    this.journalRun(record);
    this.progress.result(record, record.log === null || record.ok ? null : join(this.settings.outDir, record.log));
    this.settings.onResult?.(record);
  }
}

function runKey(test: string, seed: number): string {
  return `${test}\u0000${seed}`;
}
