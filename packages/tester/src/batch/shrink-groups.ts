// `raftlab batch --shrink`: after the runs (and the replay checks), each failure group's example is
// shrunk to the faults that matter (src/shrink/), within a budget per group, one worker thread per
// group (shrink-worker.ts) and as many at once as the batch has workers. Each shrunk example leaves
// `<stem>.schedule.json` and `<stem>.shrunk.jsonl` beside the example's `.jsonl` and `.log`, and its
// `.log` header gains the shrunk schedule, `faults: N -> M` and the replay command.
//
// Deterministic: a shrink is a function of (test, seed, impl) and its budget; groups are shrunk in
// triage order and the results listed in that order, whatever order the threads finish in.

import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../runs/atomic.js";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { escapeControls } from "@raftlab/raft";
import { replayCommand, type Style } from "@raftlab/raft/terminal";
import { artifactStem, type RunRecord } from "../runs/record.js";
import { shrunkLogHeader, type ShrunkExample } from "../runs/shrunk.js";
import { groupFailures } from "../runs/triage.js";
import { TESTS } from "../runner.js";
import type { ShrinkDone, ShrinkJob, ShrinkWorkerMessage } from "./shrink-protocol.js";

/** Default wall-clock budget per failure group (--shrink-budget), seconds. */
export const DEFAULT_SHRINK_BUDGET_SEC = 30;
/** Failure groups shrunk after a batch (largest first); the others are listed as skipped. */
export const MAX_SHRINK_GROUPS = 20;

export interface ShrinkGroupsOptions {
  readonly outDir: string;
  /** The --impl (resolved path), or null. */
  readonly impl: string | null;
  readonly strict: boolean;
  readonly budgetSec: number;
  /** Threads at once (the batch's worker count). */
  readonly parallel: number;
  /** The batch's per-run --timeout: a shrink thread gets its budget plus a few of these to finish. */
  readonly timeoutSec: number;
  readonly maxHeapMb: number;
  readonly traceCapBytes: number;
  /** A stand-in runner (a test seam of the batch): shrinking needs packages/tester's runner. */
  readonly runnerModule: string | null;
  readonly print: (text: string) => void;
  readonly style: Style;
  readonly signal?: AbortSignal;
}

/** The compiled worker script (dist), also when this module runs from src (vitest). */
function shrinkWorkerPath(): string {
  const here = fileURLToPath(new URL("./shrink-worker.js", import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL("../../dist/batch/shrink-worker.js", import.meta.url));
}

/** Why a group's example cannot be shrunk, or null. */
function unshrinkable(example: RunRecord, runnerModule: string | null): string | null {
  if (runnerModule !== null) return "shrinking needs raftlab's own test runner";
  if (!TESTS.some((t) => t.name === example.test)) return `${example.test} has no schedule to shrink`;
  if (example.virtualMs === null) return "the run was stopped (timeout or crash); shrinking replays runs to their end";
  return null;
}

/** Shrinks every failure group's example of `records`; one entry per group, in triage order. */
export async function shrinkFailureGroups(records: readonly RunRecord[], o: ShrinkGroupsOptions): Promise<ShrunkExample[]> {
  const groups = groupFailures(records);
  const results: ShrunkExample[] = [];
  const todo: { index: number; example: RunRecord }[] = [];
  groups.forEach((g, index) => {
    const base = { test: g.example.test, seed: g.example.seed, signature: g.signature };
    const why = index >= MAX_SHRINK_GROUPS ? `only the ${MAX_SHRINK_GROUPS} largest groups are shrunk` : unshrinkable(g.example, o.runnerModule);
    results.push({ ...base, status: "skipped", detail: why ?? "" });
    if (why === null) todo.push({ index, example: g.example });
  });
  if (todo.length === 0) return results;
  o.print(o.style.dim(`shrinking the example of ${todo.length} failure group${todo.length === 1 ? "" : "s"} (budget ${o.budgetSec} s each)\n`));
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let job = todo[next++]; job !== undefined; job = todo[next++]) {
      const { index, example } = job;
      const prior = results[index] as ShrunkExample;
      const entry = o.signal?.aborted === true ? { ...prior, detail: "the batch was stopped" } : await shrinkOne(example, prior, o);
      results[index] = entry;
      if (example.log !== null) amendLog(join(o.outDir, example.log), entry);
      const what = entry.status === "shrunk" ? `faults ${entry.faultsBefore} -> ${entry.faultsAfter} (${entry.detail})` : `${entry.status}: ${entry.detail}`;
      o.print(`${o.style.dim("shrunk")} ${escapeControls(example.test)} seed ${example.seed}: ${escapeControls(what)}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, todo.length)) }, lane));
  return results;
}

async function shrinkOne(example: RunRecord, base: ShrunkExample, o: ShrinkGroupsOptions): Promise<ShrunkExample> {
  const job: ShrinkJob = {
    test: example.test,
    seed: example.seed,
    impl: o.impl,
    strict: o.strict,
    budgetMs: o.budgetSec * 1000,
    outDir: o.outDir,
    stem: artifactStem(example.test, example.seed),
    traceCapBytes: o.traceCapBytes,
  };
  // The budget bounds the search; the original run and the final traced replay come on top of it.
  const limitMs = job.budgetMs + 3 * o.timeoutSec * 1000;
  const outcome = await runShrinkThread(job, o.maxHeapMb, limitMs, o.signal);
  if (outcome.type === "error") return { ...base, status: "error", detail: outcome.message };
  const r = outcome.result;
  const numbers = {
    faultsBefore: r.faultsBefore,
    faultsAfter: r.faultsAfter,
    eventsBefore: r.eventsBefore,
    eventsAfter: r.eventsAfter,
    virtualMsBefore: r.virtualMsBefore,
    virtualMsAfter: r.virtualMsAfter,
    sameFailure: r.sameFailure,
    stoppedBy: r.stoppedBy,
    runs: r.runs,
    wallMs: r.wallMs,
  };
  if (r.status === "passes")
    return { ...base, status: "passes", detail: "the example passed when run again in-process: the Raft is not deterministic?", ...numbers };
  const why = r.stoppedBy === "done" ? "no smaller schedule fails the same way" : "stopped at the budget";
  const schedule = r.schedule ?? "";
  return {
    ...base,
    status: "shrunk",
    detail: `${r.runs} runs, ${(r.wallMs / 1000).toFixed(1)} s, ${why}${r.traceTruncated === true ? "; its trace was cut at --trace-cap" : ""}`,
    schedule,
    ...(r.trace !== undefined ? { trace: r.trace } : {}),
    replay: replayCommand({ test: example.test, seed: example.seed, impl: o.impl, schedule: join(o.outDir, schedule), ...(o.strict ? { strict: true } : {}) }),
    ...numbers,
    faults: r.faults,
  };
}

type ThreadOutcome = { readonly type: "done"; readonly result: ShrinkDone } | { readonly type: "error"; readonly message: string };

/** Runs one shrink thread to its end, or stops it at `limitMs` or when the batch is stopped. */
function runShrinkThread(job: ShrinkJob, maxHeapMb: number, limitMs: number, signal: AbortSignal | undefined): Promise<ThreadOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(shrinkWorkerPath(), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb }, stdout: true, stderr: true });
    // What the Raft prints stays out of the progress display (its runs' .log files already have it).
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const finish = (outcome: ThreadOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ type: "error", message: "the batch was stopped" });
    const timer = setTimeout(
      () => finish({ type: "error", message: `the shrink did not finish within ${Math.round(limitMs / 1000)} s (the budget plus 3x --timeout)` }),
      limitMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (m: ShrinkWorkerMessage) => {
      if (m.type === "done") finish({ type: "done", result: m.result });
      else if (m.type === "error") finish({ type: "error", message: m.message });
    });
    worker.on("error", (e: Error & { code?: string }) =>
      finish({
        type: "error",
        message: e.code === "ERR_WORKER_OUT_OF_MEMORY" ? `out of memory (the worker heap limit of ${maxHeapMb} MB)` : (e.message.split("\n")[0] ?? ""),
      }),
    );
    worker.on("exit", () => finish({ type: "error", message: "the shrink thread exited without a result" }));
  });
}

/** Adds the shrunk example's header lines to its run's `.log`, after the existing header. */
function amendLog(path: string, s: ShrunkExample): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return;
  }
  const end = text.indexOf("\n\n");
  if (end < 0) return;
  try {
    writeFileAtomic(path, `${text.slice(0, end)}\n${shrunkLogHeader(s).join("\n")}${text.slice(end)}`);
  } catch {
    // A full disk: the report still has the shrunk example.
  }
}
