// What a batch leaves behind: the checks that its output paths are writable, the reports it writes, and
// the summary it prints (table, triage, notes, and last the totals line).

import { escapeControls } from "@raftlab/raft";
import { writeReportFile } from "../runs/files.js";
import type { BatchOptions, BatchOutcome } from "./batch.js";
import { writeBatchReportHtml } from "./html.js";
import type { RunRecord } from "../runs/record.js";
import { REPORT_FORMAT, REPORT_VERSION, escapeXml, formatJUnit, readLogTail, serialiseReport, type BatchReport } from "../runs/report.js";
import { makeStyle } from "@raftlab/raft/terminal";
import { formatSummaryTable, formatTotalsLine } from "../runs/table.js";
import { formatTriage, groupFailures } from "../runs/triage.js";

/** Writes the reports a batch was asked for, plus `report.json` in the output folder if it exists. */
export interface WrittenReports {
  readonly written: readonly string[];
  /** One line per report that could not be written (a full disk): the others are still written. */
  readonly unwritten: readonly string[];
}

export function writeBatchReports(options: BatchOptions, outcome: BatchOutcome): WrittenReports {
  const written: string[] = [];
  const unwritten: string[] = [];
  const attempt = (path: string, text: () => string): void => {
    try {
      writeReportFile(path, text());
      written.push(path);
    } catch (e) {
      unwritten.push(e instanceof Error ? e.message : String(e));
    }
  };
  const json = serialiseReport(outcome.report);
  const outDir = outcome.report.outDir;
  // The batch itself wrote report.json into its folder, before giving up the folder's lock.
  const inFolder = outcome.folderReport;
  if (inFolder !== null) {
    if (inFolder.error === null) written.push(inFolder.path);
    else unwritten.push(inFolder.error);
    // report.html beside it, with a page per saved failing run (runs/html).
    if (outDir !== null) {
      try {
        written.push(writeBatchReportHtml(outDir, outcome.report).report);
      } catch (e) {
        unwritten.push(e instanceof Error ? e.message : String(e));
      }
    }
  }
  if (options.jsonPath !== null) attempt(options.jsonPath, () => json);
  if (options.junitPath !== null) {
    attempt(options.junitPath, () =>
      formatJUnit(outcome.records, {
        impl: options.impl,
        strict: options.strict === true,
        outDir,
        ...(outDir !== null ? { logOf: (r: RunRecord) => readLogTail(outDir, r) } : {}),
      }),
    );
  }
  return { written, unwritten };
}

/** The text printed after a batch: table, triage, notes, report paths, and last the totals line. */
export function formatBatchSummary(
  outcome: BatchOutcome,
  options: {
    readonly impl: string | null;
    readonly colour: boolean;
    readonly written: readonly string[];
    /** Reports that could not be written, one line each (see writeBatchReports). */
    readonly unwritten?: readonly string[];
    /** The command that resumes an interrupted batch, printed when it was interrupted. */
    readonly resumeCommand?: string;
  },
): string[] {
  const style = makeStyle(options.colour);
  const lines: string[] = [""];
  lines.push(...formatSummaryTable(outcome.tally, style));
  lines.push("");
  lines.push(
    ...formatTriage(groupFailures(outcome.records), {
      impl: options.impl,
      strict: outcome.report.batch?.strict === true,
      outDir: outcome.report.outDir,
      style,
      checks: outcome.replayChecks,
      ...(outcome.report.shrinks !== undefined ? { shrinks: outcome.report.shrinks } : {}),
    }),
  );
  lines.push("");
  const secs = outcome.elapsedMs / 1000;
  const rate = secs > 0 ? outcome.tally.total / secs : 0;
  lines.push(
    style.dim(
      `${outcome.tally.total} runs in ${secs.toFixed(1)} s (${rate.toFixed(1)} runs/s) on ${outcome.report.workers} worker${outcome.report.workers === 1 ? "" : "s"}`,
    ),
  );
  if (outcome.resumed > 0) lines.push(style.dim(`${outcome.resumed} runs taken from the --resume report`));
  if (outcome.interrupted) {
    lines.push(style.yellow(`interrupted: ${outcome.notRun} runs not run`));
    if (options.resumeCommand !== undefined) lines.push(`resume with: ${escapeControls(options.resumeCommand)}`);
  }
  if (outcome.saveError !== null) {
    lines.push(style.red(`stopped: cannot save run artifacts (${escapeControls(outcome.saveError)}); ${outcome.notRun} runs not run`));
  } else if (outcome.failFastStopped) {
    lines.push(style.yellow(`stopped at the first failure (--fail-fast): ${outcome.notRun} runs not run`));
  }
  if (outcome.report.omittedPassingRuns > 0) {
    lines.push(style.dim(`${outcome.report.omittedPassingRuns} passing runs are counted but not listed in the report (memory cap)`));
  }
  if (outcome.report.outDir !== null) lines.push(`saved runs: ${escapeControls(outcome.report.outDir)}`);
  for (const w of options.written) lines.push(`wrote ${escapeControls(w)}`);
  for (const u of options.unwritten ?? []) lines.push(style.red(escapeControls(u)));
  lines.push(formatTotalsLine(outcome.tally));
  return lines;
}

/**
 * The reports of a batch that could not start (an --impl that does not load): a JSON report with no
 * runs and its `error`, and a JUnit report with one errored testcase, so CI sees a failure.
 */
export function writeFailedBatchReports(flags: { readonly json?: string; readonly junit?: string }, impl: string | null, error: string): void {
  if (flags.json !== undefined) {
    const report: BatchReport = {
      format: REPORT_FORMAT,
      version: REPORT_VERSION,
      impl,
      shard: null,
      outDir: null,
      workers: 0,
      startedAt: new Date().toISOString(),
      elapsedMs: 0,
      interrupted: false,
      runs: [],
      omittedPassingRuns: 0,
      replayChecks: [],
      error,
    };
    writeReportFile(flags.json, serialiseReport(report));
  }
  if (flags.junit !== undefined) {
    writeReportFile(
      flags.junit,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="raftlab batch" tests="1" failures="0" errors="1" time="0">',
        '  <testsuite name="raftlab batch" tests="1" failures="0" errors="1" skipped="0" time="0">',
        '    <testcase name="start the batch" classname="raftlab.batch" time="0">',
        `      <error message="${escapeXml(error)}" type="start"/>`,
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  }
}
