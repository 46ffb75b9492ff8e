// `raftlab merge`: joins shard reports (or any batch reports) into one.

import type { RunRecord } from "./record.js";
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
  const seen = new Set<string>();
  const runs: RunRecord[] = [];
  let duplicates = 0;
  for (const { report } of reports) {
    for (const r of report.runs) {
      const key = `${r.test}\u0000${r.seed}`;
      if (seen.has(key)) {
        duplicates += 1;
        continue;
      }
      seen.add(key);
      runs.push(r);
    }
  }
  // Seed first, then test name: the interleaved order, and independent of the order of the shards.
  runs.sort((a, b) => a.seed - b.seed || (a.test < b.test ? -1 : a.test > b.test ? 1 : 0));

  const shards = reports.map((r) => r.report.shard);
  let missingShards: number[] = [];
  const first = shards[0];
  if (first !== null && first !== undefined && shards.every((s) => s !== null && s.count === first.count)) {
    const have = new Set(shards.map((s) => s?.index));
    missingShards = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !have.has(i));
  }
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
  };
  return { report, duplicates, missingShards };
}
