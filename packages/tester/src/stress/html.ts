// A stress report's report.html (runs/html draws it): the same summary page as a batch's, with re-run
// commands, and a run page for each failing iteration whose saved output logviz reads as a Raft log
// (dslogs lines, our traces); other outputs stay links to their .log.

import { writeReportHtml, type WrittenHtml } from "../runs/html/write.js";
import type { RunRecord } from "../runs/record.js";
import { commandLine } from "./command.js";
import { rerunOf, type StressReport } from "./report.js";
import type { StressRun } from "./results.js";

/** Cut-output notes shown; the rest are counted. */
const CUT_NOTES = 5;

/** Writes DIR/report.html and the pages of DIR's saved failing iterations. */
export function writeStressHtml(dir: string, report: StressReport): WrittenHtml {
  const byKey = new Map<string, StressRun>(report.runs.map((r) => [`${r.test}\u0000${r.seed}`, r]));
  const stressRunOf = (r: RunRecord): StressRun => byKey.get(`${r.test}\u0000${r.seed}`) ?? { ...r, goTest: null };
  const notes = [
    ...(report.interrupted ? ["the stress run stopped early (Ctrl-C, --fail-fast or --max-failures)"] : []),
    ...report.cutOutputs
      .slice(0, CUT_NOTES)
      .map((c) => `iteration ${c.iteration}: output cut to its last part (${c.droppedBytes} bytes dropped, --max-output)`),
    ...(report.cutOutputs.length > CUT_NOTES ? [`${report.cutOutputs.length - CUT_NOTES} more iterations had their output cut`] : []),
    ...(report.omittedPassingRuns > 0
      ? [`${report.omittedPassingRuns} more passing results ran but are not listed in the report, nor counted here (memory cap)`]
      : []),
  ];
  return writeReportHtml(
    {
      kind: "stress",
      title: "raftlab stress report",
      facts: [
        ["command", commandLine(report.ran)],
        ["ran in", report.cwd],
        ["folder", dir],
        ["started", report.startedAt],
        ["took", `${(report.elapsedMs / 1000).toFixed(1)} s on ${report.workers} worker${report.workers === 1 ? "" : "s"}`],
        ["iterations", `${report.iterations} (${report.failedIterations} failed)`],
      ],
      notes,
      runs: report.runs,
      replayOf: (r) => rerunOf(report, stressRunOf(r)),
    },
    { dir, sourceOf: (r) => r.log, needPeerEvents: true, runTitle: (r) => `${r.test} iteration ${r.seed}` },
  );
}
