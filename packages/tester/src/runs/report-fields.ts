// The numbers of a report read back (by triage, merge, --resume): a report is data from outside, and a
// number in it sizes loops, lists and lines. Each is checked to be an integer or a finite number in a
// range a real report can hold; anything else is a one-line ReportError (exit 2), never a 3 GB list or
// a RangeError's stack.

import { ReportError } from "./report-error.js";
import { MAX_RUNS, MAX_SEED, MAX_SHARDS, type Shard } from "./runlist.js";

/** Longest duration a report may state: about 30 years in ms. */
export const MAX_DURATION_MS = 1e12;
/** Largest count (runs, iterations, bytes, RPCs) a report may state. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** Most workers a report may state. */
export const MAX_REPORT_WORKERS = 1_000_000;

function describeValue(v: unknown): string {
  const text = typeof v === "string" ? JSON.stringify(v) : String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** An integer in min..max, or a ReportError naming `where` and the range. */
export function readInt(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ReportError(`${where} must be an integer in ${min}..${max}, got ${describeValue(v)}`);
  }
  return v;
}

/** A finite number in min..max. */
export function readNumber(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ReportError(`${where} must be a number in ${min}..${max}, got ${describeValue(v)}`);
  }
  return v;
}

/** A count (non-negative integer), absent meaning 0 (older reports leave some out). */
export function readCount(v: unknown, where: string, max: number = MAX_COUNT): number {
  return v === undefined ? 0 : readInt(v, where, 0, max);
}

/** A duration in ms, absent meaning 0. */
export function readDurationMs(v: unknown, where: string): number {
  return v === undefined ? 0 : readNumber(v, where, 0, MAX_DURATION_MS);
}

/** A seed (a batch's) or an iteration number (a stress run's): 0..MAX_SEED. */
export function readSeed(v: unknown, where: string): number {
  return readInt(v, where, 0, MAX_SEED);
}

/** Iterations per test of a batch: 1..MAX_RUNS. */
export function readIterations(v: unknown, where: string): number {
  return readInt(v, where, 1, MAX_RUNS);
}

/** A report's `shard`: null when absent or null, else {index, count} with 1 <= index <= count <= MAX_SHARDS. */
export function readShard(v: unknown, where: string): Shard | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) throw new ReportError(`${where} must be {"index", "count"} or null`);
  const o = v as Record<string, unknown>;
  const count = readInt(o["count"], `${where}.count`, 1, MAX_SHARDS);
  const index = readInt(o["index"], `${where}.index`, 1, count);
  return { index, count };
}
