// The batch's report.html (runs/html draws it): what a batch report or a folder triaged later says, with
// replay commands exactly as triage prints them (--impl, --strict), and run pages from saved traces.

import { replayCommand } from "@raftlab/raft/terminal";
import { writeReportHtml, type WrittenHtml } from "../runs/html/write.js";
import type { RunRecord } from "../runs/record.js";
import type { BatchReport } from "../runs/report.js";
import type { ReplayCheck } from "../runs/replay-check.js";
import type { ShrunkExample } from "../runs/shrunk.js";

export interface BatchHtmlSource {
  readonly runs: readonly RunRecord[];
  readonly impl: string | null;
  readonly strict: boolean;
  readonly checks: readonly ReplayCheck[];
  readonly omittedPassingRuns: number;
  /** `--shrink`: the groups' examples shrunk. */
  readonly shrinks?: readonly ShrunkExample[];
  /** Extra label/value lines (when it started, how long it took). */
  readonly facts?: readonly (readonly [string, string])[];
  readonly notes?: readonly string[];
}

/** Writes DIR/report.html and the run pages of DIR's saved failing traces. */
export function writeBatchHtml(dir: string, s: BatchHtmlSource): WrittenHtml {
  const notes = [...(s.notes ?? [])];
  if (s.omittedPassingRuns > 0)
    notes.push(`${s.omittedPassingRuns} passing runs were counted by the batch but are not listed in its report, nor in the rates and times here (memory cap)`);
  return writeReportHtml(
    {
      kind: "batch",
      title: "raftlab batch report",
      facts: [
        ["impl", s.impl ?? "raftlab's own Raft"],
        ...(s.strict ? [["strict", "yes: warnings fail runs"] as const] : []),
        ["folder", dir],
        ...(s.facts ?? []),
      ],
      notes,
      runs: s.runs,
      replayOf: (r) => replayCommand({ test: r.test, seed: r.seed, impl: s.impl, strict: s.strict }),
      checks: s.checks,
      ...(s.shrinks !== undefined ? { shrinks: s.shrinks } : {}),
    },
    { dir, sourceOf: (r) => r.trace, needPeerEvents: false, runTitle: (r) => `${r.test} seed ${r.seed}` },
  );
}

/** report.html for a batch that just ran (its report.json is beside it). */
export function writeBatchReportHtml(dir: string, report: BatchReport): WrittenHtml {
  return writeBatchHtml(dir, {
    runs: report.runs,
    impl: report.impl,
    strict: report.batch?.strict === true,
    checks: report.replayChecks,
    omittedPassingRuns: report.omittedPassingRuns,
    ...(report.shrinks !== undefined ? { shrinks: report.shrinks } : {}),
    facts: [
      ["started", report.startedAt],
      ["took", `${(report.elapsedMs / 1000).toFixed(1)} s on ${report.workers} worker${report.workers === 1 ? "" : "s"}`],
      ...(report.shard !== null ? [["shard", `${report.shard.index}/${report.shard.count}`] as const] : []),
    ],
    notes: [...(report.interrupted ? ["the batch was stopped before it ran its whole list"] : []), ...(report.error !== undefined ? [report.error] : [])],
  });
}
