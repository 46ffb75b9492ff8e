// `raftlab batch --shrink`: after the runs (and the replay checks), each failure group's example is
// shrunk to the faults that matter (src/shrink/), within a budget per group, one isolated child process
// per group (shrink-child.ts, through isolation/supervisor.ts) and as many at once as the batch has
// workers. The batch never loads the code under test: it believes only the child's authenticated
// messages, checks them, and writes `<stem>.schedule.json` and `<stem>.shrunk.jsonl` itself beside the
// example's `.jsonl` and `.log`, whose header gains the shrunk schedule, `faults: N -> M` and the replay
// command. A child that exits, dies, goes silent, runs out of its budget or forges a message fails only
// that group's shrink, with a note saying so; the batch's verdicts and report stand.
//
// Deterministic: a shrink is a function of (test, seed, impl) and its budget; groups are shrunk in
// triage order and the results listed in that order, whatever order the children finish in.

import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../runs/atomic.js";
import { join } from "node:path";
import { childScriptPath, describeEnd, IsolatedChild, type ChildEnd } from "../isolation/supervisor.js";
import { escapeControls } from "@raftlab/raft";
import { replayCommand, type Style } from "@raftlab/raft/terminal";
import { artifactStem, type RunRecord } from "../runs/record.js";
import { MAX_FAULTS_LISTED, shrunkLogHeader, type ShrunkExample } from "../runs/shrunk.js";
import { groupFailures } from "../runs/triage.js";
import { TESTS } from "../runner.js";
import type { ShrinkChildMessage, ShrinkDone, ShrinkJob } from "./shrink-protocol.js";

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
  /** Children at once (the batch's worker count). */
  readonly parallel: number;
  /** The batch's per-run --timeout: a shrink child gets its budget plus a few of these to finish. */
  readonly timeoutSec: number;
  readonly maxHeapMb: number;
  readonly traceCapBytes: number;
  /** A stand-in runner (a test seam of the batch): shrinking needs packages/tester's runner. */
  readonly runnerModule: string | null;
  readonly print: (text: string) => void;
  readonly style: Style;
  readonly signal?: AbortSignal;
}

/**
 * How long a shrink child may send nothing (it reports after each candidate run) before the batch
 * stops it: a few of the batch's --timeout, since one run may take up to that.
 */
const SILENCE_GRACE_MS = 30_000;
/** The child's stderr kept to tell an out-of-memory end from another death. */
const STDERR_TAIL_CHARS = 4096;

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
    traceCapBytes: o.traceCapBytes,
  };
  // The budget bounds the search; the original run and the final traced replay come on top of it.
  const limitMs = job.budgetMs + 3 * o.timeoutSec * 1000;
  const outcome = await runShrinkChild(job, { maxHeapMb: o.maxHeapMb, limitMs, silenceMs: 2 * o.timeoutSec * 1000 + SILENCE_GRACE_MS, signal: o.signal });
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
  const stem = artifactStem(example.test, example.seed);
  const schedule = `${stem}.schedule.json`;
  const trace = `${stem}.shrunk.jsonl`;
  try {
    writeFileAtomic(join(o.outDir, schedule), r.scheduleText ?? "");
    writeFileAtomic(join(o.outDir, trace), outcome.trace.join(""));
  } catch (e) {
    return { ...base, status: "error", detail: `cannot save the shrunk example: ${(e as Error).message}` };
  }
  const why = r.stoppedBy === "done" ? "no smaller schedule fails the same way" : "stopped at the budget";
  return {
    ...base,
    status: "shrunk",
    detail: `${r.runs} runs, ${(r.wallMs / 1000).toFixed(1)} s, ${why}${r.traceTruncated === true ? "; its trace was cut at --trace-cap" : ""}`,
    schedule,
    trace,
    replay: replayCommand({ test: example.test, seed: example.seed, impl: o.impl, schedule: join(o.outDir, schedule), ...(o.strict ? { strict: true } : {}) }),
    ...numbers,
    faults: r.faults,
  };
}

type ChildOutcome =
  { readonly type: "done"; readonly result: ShrinkDone; readonly trace: readonly string[] } | { readonly type: "error"; readonly message: string };

interface ChildLimits {
  readonly maxHeapMb: number;
  /** The whole shrink's wall-clock limit. */
  readonly limitMs: number;
  /** The longest silence between two messages. */
  readonly silenceMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Runs one shrink child to its end, or stops it (SIGKILL) at its limit, after a silence, when the
 * batch is stopped or at its first message that is not what an honest shrink sends. Resolves once
 * the child is gone, so no code under test runs while the batch writes the shrunk example.
 */
function runShrinkChild(job: ShrinkJob, limits: ChildLimits): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    let outcome: ChildOutcome | null = null;
    const trace: string[] = [];
    let traceBytes = 0;
    let stderrTail = "";
    const { signal } = limits;
    const stopWith = (o: ChildOutcome, end: ChildEnd): void => {
      if (outcome === null) outcome = o;
      child.stop(end);
    };
    const kill = (message: string): void => stopWith({ type: "error", message }, { type: "killed", why: message });
    const onAbort = (): void => kill("the batch was stopped");
    const timer = setTimeout(
      () => kill(`the shrink did not finish within ${Math.round(limits.limitMs / 1000)} s (the budget plus 3x --timeout)`),
      limits.limitMs,
    );
    let silence: NodeJS.Timeout | null = null;
    const restartSilence = (): void => {
      if (silence !== null) clearTimeout(silence);
      silence = setTimeout(() => kill(`the shrink's test process sent nothing for ${Math.round(limits.silenceMs / 1000)} s and was stopped`), limits.silenceMs);
    };
    const child: IsolatedChild = new IsolatedChild(
      childScriptPath("batch/shrink-child.js"),
      job,
      {
        onMessage: (raw) => {
          if (outcome !== null) return;
          restartSilence();
          const m = raw as ShrinkChildMessage;
          if (m.t === "progress") return;
          if (m.t === "trace" && typeof m.text === "string") {
            traceBytes += Buffer.byteLength(m.text);
            if (traceBytes > job.traceCapBytes) child.stop({ type: "forged", why: "more trace than --trace-cap" });
            else trace.push(m.text);
          } else if (m.t === "done") {
            const wrong = checkDone(m, job);
            if (wrong !== null) child.stop({ type: "forged", why: wrong });
            else stopWith({ type: "done", result: m.result, trace }, { type: "exit", code: 0, signal: null });
          } else if (m.t === "error" && typeof m.message === "string") {
            stopWith({ type: "error", message: m.message }, { type: "exit", code: 0, signal: null });
          } else child.stop({ type: "forged", why: "a message no shrink sends" });
        },
        // What the Raft prints stays out of the progress display (its runs' .log files already have it);
        // the stderr tail tells an out-of-memory end.
        onOutput: (text, stream) => {
          if (stream === "stderr") stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
        },
        onEnd: (end) => {
          clearTimeout(timer);
          if (silence !== null) clearTimeout(silence);
          signal?.removeEventListener("abort", onAbort);
          resolve(outcome ?? { type: "error", message: endedEarly(end, stderrTail, limits.maxHeapMb) });
        },
      },
      [`--max-old-space-size=${limits.maxHeapMb}`],
    );
    restartSilence();
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The note of a child that ended before its result. */
function endedEarly(end: ChildEnd, stderrTail: string, maxHeapMb: number): string {
  if (end.type === "exit" && /heap out of memory|Allocation failed/.test(stderrTail)) return `out of memory (the heap limit of ${maxHeapMb} MB)`;
  return `the shrink's test process ${describeEnd(end)}${end.type === "exit" ? " before reporting its result" : ""}`;
}

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isAmount = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** What is wrong with a "done" message, or null: only the job's example, well-formed, with its own schedule. */
function checkDone(m: { test?: unknown; seed?: unknown; result?: unknown }, job: ShrinkJob): string | null {
  if (m.test !== job.test || m.seed !== job.seed) return `a result for ${String(m.test)} seed ${String(m.seed)} while ${job.test} seed ${job.seed} was shrunk`;
  const r = m.result as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null) return "a result that is not an object";
  const counts = ["faultsBefore", "faultsAfter", "eventsBefore", "eventsAfter", "runs", "wallMs"] as const;
  const bad =
    (r["status"] !== "shrunk" && r["status"] !== "passes") ||
    !counts.every((k) => isCount(r[k])) ||
    !isAmount(r["virtualMsBefore"]) ||
    !isAmount(r["virtualMsAfter"]) ||
    typeof r["sameFailure"] !== "boolean" ||
    !["done", "budget", "runs"].includes(r["stoppedBy"] as string) ||
    (r["traceTruncated"] !== undefined && typeof r["traceTruncated"] !== "boolean") ||
    !Array.isArray(r["faults"]) ||
    (r["faults"] as unknown[]).length > MAX_FAULTS_LISTED ||
    !(r["faults"] as unknown[]).every((f) => typeof f === "string");
  if (bad) return "a malformed result";
  if (r["status"] === "passes") return null;
  let schedule: unknown;
  try {
    schedule = JSON.parse(String(r["scheduleText"]));
  } catch {
    return "a shrunk schedule that is not JSON";
  }
  const s = schedule as { test?: unknown; seed?: unknown } | null;
  if (typeof s !== "object" || s === null || s.test !== job.test || s.seed !== job.seed) return "a shrunk schedule of another run";
  return null;
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
