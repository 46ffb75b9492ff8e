// `raftlab merge`: joins shard reports (or any batch reports) into one.

import type { RunRecord } from "./record.js";
import type { Shard } from "./runlist.js";
import { REPORT_FORMAT, REPORT_VERSION, ReportError, type BatchReport } from "./report.js";

export interface MergeResult {
  readonly report: BatchReport;
  /** (test, seed) pairs found in more than one report; the first report's run is kept. */
  readonly duplicates: number;
  /** Shard indices missing from a complete 1..N set, when every input is a shard of the same N. */
  readonly missingShards: readonly number[];
}

export function mergeReports(reports: readonly { readonly name: string; readonly report: BatchReport }[]): MergeResult {
  if (reports.length === 0) throw new ReportError("merge needs at least one report");
  const impls = new Set(reports.map((r) => r.report.impl));
  if (impls.size > 1) {
    throw new ReportError(`the reports ran different implementations (${[...impls].map(String).join(", ")}); merge only reports of one`);
  }
  checkSameBatch(reports);
  refuseContradictions(reports.map((r) => ({ name: r.name, strict: r.report.batch?.strict === true, runs: r.report.runs })));
  const { runs, duplicates } = mergeRuns(reports.map((r) => r.report.runs));
  const missingShards = findMissingShards(reports.map((r) => r.report.shard));
  const outDirs = new Set(reports.map((r) => r.report.outDir));
  const report: BatchReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    impl: reports[0]?.report.impl ?? null,
    shard: null,
    outDir: outDirs.size === 1 ? (reports[0]?.report.outDir ?? null) : null,
    workers: reports.reduce((n, r) => n + r.report.workers, 0),
    startedAt: reports.map((r) => r.report.startedAt).sort()[0] ?? "",
    elapsedMs: Math.max(...reports.map((r) => r.report.elapsedMs)),
    interrupted: reports.some((r) => r.report.interrupted),
    runs,
    omittedPassingRuns: reports.reduce((n, r) => n + r.report.omittedPassingRuns, 0),
    replayChecks: reports.flatMap((r) => r.report.replayChecks),
    ...(reports.some((r) => r.report.shrinks !== undefined) ? { shrinks: reports.flatMap((r) => r.report.shrinks ?? []) } : {}),
  };
  return { report, duplicates, missingShards };
}

/**
 * Shards of one batch must agree on what they ran: the shard count, and the batch's flags that decide
 * the run list and the verdicts (tests, iterations, seed start, order, --loop, --strict). Reports from
 * raftlab versions before the flags were recorded carry none and are compared on shard count only.
 */
function checkSameBatch(reports: readonly { readonly name: string; readonly report: BatchReport }[]): void {
  const first = reports[0];
  if (first === undefined) return;
  const shardOf = (r: BatchReport): string => (r.shard === null ? "not a shard" : `shard ${r.shard.index}/${r.shard.count}`);
  const counts = new Set(reports.map((r) => r.report.shard?.count ?? null));
  if (counts.size > 1) {
    const other = reports.find((r) => (r.report.shard?.count ?? null) !== (first.report.shard?.count ?? null));
    throw new ReportError(
      `${first.name} is ${shardOf(first.report)} but ${other?.name ?? "another"} is ${shardOf(other?.report ?? first.report)}: shards of different splits cannot be merged`,
    );
  }
  const fields: readonly [string, (m: NonNullable<BatchReport["batch"]>) => string][] = [
    ["tests", (m) => m.tests.join(",")],
    ["iterations (-n)", (m) => String(m.iterations)],
    ["seed start", (m) => String(m.seedStart)],
    ["order (--sequential)", (m) => String(m.sequential)],
    ["--loop", (m) => String(m.loop)],
    ["--strict", (m) => String(m.strict === true)],
  ];
  // Whole batches (no --shard) may be of anything: merging them is how separate batches are joined.
  const base = first.report.batch;
  if (base === undefined || first.report.shard === null) return;
  for (const r of reports.slice(1)) {
    const m = r.report.batch;
    if (m === undefined) continue;
    for (const [what, get] of fields) {
      if (get(m) !== get(base)) {
        throw new ReportError(`${first.name} and ${r.name} ran different batches (${what}: ${get(base)} vs ${get(m)}); merge only shards of one batch`);
      }
    }
  }
}

/**
 * The runs of several reports as one list: a (test, seed) pair found twice is kept once (the first, or
 * the first failing one: a pass never hides a failure), and the order is seed then test name, the
 * interleaved order, whatever the order of the reports.
 */
export function mergeRuns<R extends RunRecord>(lists: readonly (readonly R[])[]): { runs: R[]; duplicates: number } {
  const kept = new Map<string, R>();
  let duplicates = 0;
  for (const list of lists) {
    for (const r of list) {
      const key = `${r.test}\u0000${r.seed}`;
      const first = kept.get(key);
      if (first === undefined) {
        kept.set(key, r);
        continue;
      }
      duplicates += 1;
      if (first.ok && !r.ok) kept.set(key, r);
    }
  }
  const runs = [...kept.values()];
  runs.sort((a, b) => a.seed - b.seed || (a.test < b.test ? -1 : a.test > b.test ? 1 : 0));
  return { runs, duplicates };
}

/** Failure kinds a seed decides alone (a timeout or a crash also depends on the machine's load and memory). */
const DETERMINISTIC_KINDS: ReadonlySet<string> = new Set(["fail", "violation"]);

export interface Contradiction {
  readonly test: string;
  readonly seed: number;
  readonly passedIn: string;
  readonly failedIn: string;
}

/**
 * Runs that pass in one report and fail in another although the run is deterministic: the same (test,
 * seed) under the same impl (mergeReports checks that) and the same --strict, failing by a verdict the
 * seed alone decides (fail, violation; not a timeout or a crash).
 */
export function findContradictions(
  reports: readonly { readonly name: string; readonly strict: boolean; readonly runs: readonly RunRecord[] }[],
): Contradiction[] {
  const seen = new Map<string, { name: string; run: RunRecord }>();
  const found: Contradiction[] = [];
  for (const report of reports) {
    for (const run of report.runs) {
      const key = `${run.test}\u0000${run.seed}\u0000${report.strict}`;
      const other = seen.get(key);
      if (other === undefined) {
        seen.set(key, { name: report.name, run });
        continue;
      }
      const failing = run.ok ? other.run : run;
      if (other.run.ok !== run.ok && DETERMINISTIC_KINDS.has(failing.kind ?? "fail")) {
        found.push({ test: run.test, seed: run.seed, passedIn: run.ok ? report.name : other.name, failedIn: run.ok ? other.name : report.name });
      }
    }
  }
  return found;
}

/**
 * Refuses reports that contradict each other (exit 2, as for any input merge cannot trust): a run the
 * seed decides cannot both pass and fail, so one report is wrong, edited, or from a Raft that is not
 * deterministic; keeping either verdict would hide that.
 */
export function refuseContradictions(reports: Parameters<typeof findContradictions>[0]): void {
  const found = findContradictions(reports);
  const first = found[0];
  if (first === undefined) return;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : "";
  throw new ReportError(
    `the reports contradict each other: ${first.test} seed ${first.seed} passed in ${first.passedIn} and failed in ${first.failedIn}${more}; ` +
      "a run (test, seed, impl, strict) is deterministic, so a report is wrong or the Raft is not deterministic",
  );
}

/** Shard indices missing from a complete 1..N set, when every report is a shard of the same N. */
export function findMissingShards(shards: readonly (Shard | null)[]): number[] {
  const first = shards[0];
  if (first === null || first === undefined || !shards.every((s) => s !== null && s.count === first.count)) return [];
  const have = new Set(shards.map((s) => s?.index));
  return Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !have.has(i));
}

/**
 * `missing shard 2 of 2 (have 1/2)`, `missing shards 2, 4 of 4 (have 2/4)`: the shards missing from a
 * complete 1..N set, when every report is a shard of the same N; null when none is missing.
 */
export function missingShardsLine(shards: readonly (Shard | null)[]): string | null {
  const missing = findMissingShards(shards);
  const count = shards[0]?.count;
  if (missing.length === 0 || count === undefined) return null;
  // One line of bounded length, however many shards are missing.
  const shown =
    missing.slice(0, MISSING_SHARDS_SHOWN).join(", ") + (missing.length > MISSING_SHARDS_SHOWN ? `, … ${missing.length - MISSING_SHARDS_SHOWN} more` : "");
  return `missing shard${missing.length === 1 ? "" : "s"} ${shown} of ${count} (have ${count - missing.length}/${count})`;
}

/** Missing shard numbers a line lists before it only counts the rest. */
export const MISSING_SHARDS_SHOWN = 20;

export interface MergeFlags {
  json?: string;
  junit?: string;
  /** Merge an incomplete shard set (with a warning) instead of refusing it. */
  allowMissing?: boolean;
}

/**
 * Refuses an incomplete shard set (a CI shard that never uploaded its report must not pass as a clean
 * merge), or with --allow-missing warns about it.
 */
export function checkMissingShards(shards: readonly (Shard | null)[], flags: MergeFlags): void {
  const line = missingShardsLine(shards);
  if (line === null) return;
  if (flags.allowMissing !== true) throw new ReportError(`${line}; give every shard's report, or --allow-missing to merge these`);
  process.stderr.write(`raftlab merge: warning: ${line}; merged the shards given (--allow-missing)\n`);
}
