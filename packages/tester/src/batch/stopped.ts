// A run the batch had to stop (it hung past --timeout, or crashed its worker thread) never reports
// itself: the batch writes its record and artifacts instead, from what the worker left behind (the
// shared rings, the spill file), and explains in the log why its trace is partial or missing.

import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatRunLog, makeDirs, saveErrorText } from "../runs/artifacts.js";
import { moveFileAtomic, writeFileAtomic } from "../runs/atomic.js";
import { artifactStem, type RunRecord } from "../runs/record.js";
import type { RunItem } from "../runs/runlist.js";
import { failureSignature } from "../runs/signature.js";
import type { SlotOutcome } from "./pool.js";

export type StoppedOutcome = Extract<SlotOutcome, { type: "stopped" }>;

/** What saving a stopped run needs to know of the batch. */
export interface StoppedContext {
  readonly outDir: string;
  readonly impl: string | null;
  readonly strict: boolean;
  readonly archive: boolean;
  readonly traceEveryRun: boolean;
}

/**
 * The record of a stopped run, with its partial trace and log saved; on a write error the record
 * without artifacts (any half-written ones removed) and the error. The slot's spill file is used up.
 */
export function recordStopped(ctx: StoppedContext, spill: string, item: RunItem, outcome: StoppedOutcome): { record: RunRecord; saveError?: string } {
  const stem = artifactStem(item.test, item.seed);
  const bare = stoppedRecord(item, outcome);
  try {
    return { record: saveStopped(ctx, stem, spill, bare, outcome) };
  } catch (e) {
    for (const f of [`${stem}.jsonl`, `${stem}.log`]) rmSync(join(ctx.outDir, f), { force: true });
    return { record: bare, saveError: saveErrorText(e) };
  } finally {
    rmSync(spill, { force: true });
  }
}

/** Why a hung run's traced re-run has no trace to offer: it did not hang again. */
export function describeRerun(again: Exclude<SlotOutcome, { type: "cancelled" }>): string {
  const how =
    again.type === "done" ? (again.record.ok ? "passed" : `failed (${again.record.message ?? "no message"})`) : `was stopped otherwise (${again.message})`;
  return `its traced re-run, to save the trace up to the hang, ${how} instead: the Raft is not deterministic, and no trace is saved`;
}

function stoppedRecord(item: RunItem, outcome: StoppedOutcome): RunRecord {
  const failure = { kind: outcome.kind, message: outcome.message };
  return {
    test: item.test,
    seed: item.seed,
    ok: false,
    signature: failureSignature(failure),
    kind: outcome.kind,
    message: outcome.message,
    invariant: null,
    virtualMs: null,
    wallMs: outcome.wallMs,
    rpcs: null,
    bytes: null,
    cmds: null,
    peers: null,
    trace: null,
    log: null,
    traceTruncated: true,
  };
}

/** Saves a stopped run's partial trace (what the worker had flushed) and its log; throws on a write error. */
function saveStopped(ctx: StoppedContext, stem: string, spill: string, bare: RunRecord, outcome: StoppedOutcome): RunRecord {
  makeDirs(ctx.outDir);
  const notes: string[] = [];
  const trace = saveStoppedTrace(ctx, stem, spill, outcome, notes);
  if (outcome.output.droppedBytes > 0)
    notes.push(`the output shown is its last ${outcome.output.lines.length} lines (${formatMiB(outcome.output.droppedBytes)} before them were dropped)`);
  const record: RunRecord = { ...bare, trace, log: `${stem}.log` };
  writeFileAtomic(
    join(ctx.outDir, `${stem}.log`),
    formatRunLog({ record, impl: ctx.impl, strict: ctx.strict, output: outcome.output.lines, outputTruncated: 0, note: notes.join("; ") }),
  );
  return record;
}

/** Saves what there is of the stopped run's trace, returning its file name (null: none), and says why in `notes`. */
function saveStoppedTrace(ctx: StoppedContext, stem: string, spill: string, outcome: StoppedOutcome, notes: string[]): string | null {
  const ring = outcome.trace;
  if (ring !== null) {
    // The shared ring (ring.ts) holds the trace up to the moment the run was stopped: all of it, or
    // its last TRACE_RING_BYTES. The spill file only has what was flushed in 256 KiB chunks.
    writeFileAtomic(join(ctx.outDir, `${stem}.jsonl`), ring.lines.length > 0 ? `${ring.lines.join("\n")}\n` : "");
    notes.push(
      ring.droppedBytes === 0
        ? `the run was stopped; the saved trace holds every event until then (${ring.lines.length} events)`
        : `the run was stopped; the saved trace holds its last ${ring.lines.length} events (${formatMiB(ring.droppedBytes)} before them were dropped)`,
    );
    return `${stem}.jsonl`;
  }
  if (existsSync(spill) && statSync(spill).size > 0) {
    moveFileAtomic(spill, join(ctx.outDir, `${stem}.jsonl`));
    notes.push("the run was stopped; the saved trace holds only what had been flushed");
    return `${stem}.jsonl`;
  }
  if (outcome.note !== undefined) notes.push(outcome.note);
  else {
    notes.push(
      outcome.kind === "timeout" || ctx.archive || ctx.traceEveryRun
        ? "the run was stopped before it traced anything; replay it to see the trace"
        : "runs are untraced until they fail (--trace-every-run traces them as they run), so a stopped run has no trace; replay it to see the trace",
    );
  }
  return null;
}

function formatMiB(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
