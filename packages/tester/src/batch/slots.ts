// The batch's worker slots (pool.ts), one per --workers, each with its own spill file, and the
// replay verification that runs on them once the run loop is done.

import { join } from "node:path";
import type { Style } from "@raftlab/raft/terminal";
import type { Progress } from "../runs/progress.js";
import type { RunRecord } from "../runs/record.js";
import { groupFailures } from "../runs/triage.js";
import { WorkerSlot } from "./pool.js";
import { compareReplay, replayCheckable, type ReplayCheck } from "./verify.js";

/** Failure groups whose example is replayed after a batch (largest groups first). */
export const MAX_REPLAY_CHECKS = 50;

export interface SlotSettings {
  readonly impl: string | null;
  readonly outDir: string;
  readonly archive: boolean;
  readonly strict: boolean;
  readonly traceEveryRun: boolean;
  readonly traceCapBytes: number;
  readonly outputCapLines: number;
  readonly runnerModule: string | null;
  readonly timeoutMs: number;
  readonly maxHeapMb: number;
}

export class BatchSlots {
  readonly slots: WorkerSlot[];

  constructor(
    private readonly settings: SlotSettings,
    private readonly spillDir: string,
    count: number,
  ) {
    this.slots = Array.from({ length: Math.max(1, count) }, (_, i) => this.make(i));
  }

  /** Where slot `i`'s worker spills its trace (a stopped run's artifacts come from there). */
  spillPath(i: number): string {
    return join(this.spillDir, `slot-${i}.jsonl`);
  }

  /** Closes every slot: a run in flight ends as "cancelled". */
  closeAll(): Promise<void> {
    return Promise.all(this.slots.map((s) => s.close())).then(() => undefined);
  }

  /**
   * Replays every failure group's example run, spread over the slots; `fresh` slots when the batch's
   * were closed by a stop (after Ctrl-C or --fail-fast; a second Ctrl-C still quits at once).
   */
  async verifyReplays(records: readonly RunRecord[], fresh: boolean, progress: Progress, style: Style): Promise<ReplayCheck[]> {
    const { checks, todo } = replayPlan(records);
    if (todo.length === 0) return checks;
    progress.print(style.dim(`replaying ${todo.length} failure${todo.length === 1 ? "" : "s"} to check they reproduce exactly\n`));
    const verifiers = fresh ? this.slots.map((_, i) => this.make(i)) : this.slots;
    let next = 0;
    await Promise.all(
      verifiers.slice(0, todo.length).map(async (slot) => {
        for (let r = todo[next++]; r !== undefined; r = todo[next++]) {
          const outcome = await slot.execute(r, "verify");
          checks.push(await compareReplay(r, this.settings.outDir, outcome));
        }
      }),
    );
    if (verifiers !== this.slots) await Promise.all(verifiers.map((s) => s.close()));
    return checks;
  }

  private make(i: number): WorkerSlot {
    const s = this.settings;
    return new WorkerSlot({
      config: {
        impl: s.impl,
        outDir: s.outDir,
        archive: s.archive,
        ...(s.strict ? { strict: true } : {}),
        traceEveryRun: s.traceEveryRun,
        traceCapBytes: s.traceCapBytes,
        outputCapLines: s.outputCapLines,
        spillPath: this.spillPath(i),
        runnerModule: s.runnerModule,
      },
      timeoutMs: s.timeoutMs,
      maxHeapMb: s.maxHeapMb,
    });
  }
}

/** The failure groups' examples to replay, and the checks of those skipped (with why). */
function replayPlan(records: readonly RunRecord[]): { checks: ReplayCheck[]; todo: RunRecord[] } {
  const checks: ReplayCheck[] = [];
  const todo: RunRecord[] = [];
  for (const g of groupFailures(records)) {
    const why = todo.length >= MAX_REPLAY_CHECKS ? `only the ${MAX_REPLAY_CHECKS} largest groups are replayed` : replayCheckable(g.example);
    if (why === null) todo.push(g.example);
    else checks.push({ test: g.example.test, seed: g.example.seed, signature: g.signature, verdict: "skipped", detail: why });
  }
  return { checks, todo };
}
