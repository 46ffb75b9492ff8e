// What a stress run prints at the end (and `raftlab triage`/`merge` print for stress reports): a row per
// test (failed, total, failure rate with its 95% interval, mean ± σ time), the failures grouped by
// signature with a re-run command and the saved output to open in logviz, then the totals line.

import { escapeControls } from "@raftlab/raft";
import type { RunRecord } from "../runs/record.js";
import { BatchTally } from "../runs/stats.js";
import { displayWidth, fitWidth, makeStyle, shellQuote, type Style } from "@raftlab/raft/terminal";
import { failureRateCells, fmtSeconds, formatTotalsLine, renderTable } from "../runs/table.js";
import { SEEDS_SHOWN, TESTS_SHOWN, groupFailures } from "../runs/triage.js";
import { commandLine } from "./command.js";
import { rerunOf, type StressReport } from "./report.js";
import type { StressRun } from "./results.js";

/** Rows: test, failed, total, failure rate, its 95% interval, time mean ± σ (s), as dstest's table plus the interval. */
export function formatStressTable(tally: BatchTally, style: Style): string[] {
  const header = ["Test", "Failed", "Total", "Fail rate", "95% CI", "Time (s)"];
  const rows = tally.tests.map((t) => {
    const time = t.wallMs.count === 0 ? "-" : `${fmtSeconds(t.wallMs.mean)} ± ${fmtSeconds(t.wallMs.stddev)}`;
    return [escapeControls(t.test), String(t.failed), String(t.total), ...failureRateCells(t.failed, t.total), time];
  });
  return renderTable(
    header,
    rows,
    tally.tests.map((t) => t.failed > 0),
    style,
  );
}

/** Failure groups, largest first: signature, tests, iterations, one message, the re-run command, the saved output. */
export function formatStressTriage(report: StressReport, style: Style): string[] {
  const groups = groupFailures(report.runs);
  if (groups.length === 0) return [style.green("No failures.")];
  const byKey = new Map<string, StressRun>(report.runs.map((r) => [`${r.test}\u0000${r.seed}`, r]));
  const stressRunOf = (r: RunRecord): StressRun => byKey.get(`${r.test}\u0000${r.seed}`) ?? { ...r, goTest: null };
  const total = groups.reduce((n, g) => n + g.count, 0);
  const out = [
    style.bold(`Failures by signature: ${groups.length} signature${groups.length === 1 ? "" : "s"}, ${total} failing result${total === 1 ? "" : "s"}`),
  ];
  groups.forEach((g, i) => {
    const example = stressRunOf(g.example);
    out.push("", `${style.red(`[${i + 1}]`)} ${style.bold(`${g.count}×`)} ${escapeControls(g.signature)}`);
    const more = g.tests.length > TESTS_SHOWN ? `, … ${g.tests.length - TESTS_SHOWN} more` : "";
    out.push(
      `    tests:  ${g.tests
        .slice(0, TESTS_SHOWN)
        .map((t) => `${escapeControls(t.test)} (${t.count})`)
        .join(", ")}${more}`,
    );
    const iterations = [...new Set(g.tests.flatMap((t) => t.seeds))].sort((a, b) => a - b);
    out.push(`    iters:  ${iterations.slice(0, SEEDS_SHOWN * 2).join(", ")}${iterations.length > SEEDS_SHOWN * 2 ? ", …" : ""}`);
    if (g.exampleMessage !== "") out.push(`    e.g.:   ${exampleCell(g.exampleMessage, style)}  (iteration ${example.seed})`);
    out.push(`    re-run: ${style.bold(rerunOf(report, example))}`);
    if (example.log !== null && report.outDir !== null) {
      const file = shellQuote(joinPath(report.outDir, example.log));
      const goTest = report.splitTests && example.goTest !== null ? ` --test ${shellQuote(example.goTest)}` : "";
      out.push(`    open:   logviz ${file}${goTest}`);
    }
  });
  return out;
}

export interface SummaryExtras {
  /** Notes on the command (what stress added to it). */
  readonly notes?: readonly string[];
  /** Report files written. */
  readonly written?: readonly string[];
  readonly notRun?: number;
  readonly stoppedEarly?: boolean;
}

/** The whole summary: table, triage, notes, and last the `N passed, N failed` line. */
export function formatStressSummary(report: StressReport, colour: boolean, extras: SummaryExtras = {}): string[] {
  const style = makeStyle(colour);
  const tally = new BatchTally();
  for (const r of report.runs) tally.add(r);
  const lines = ["", ...formatStressTable(tally, style), "", ...formatStressTriage(report, style), ""];
  const secs = report.elapsedMs / 1000;
  lines.push(
    style.dim(
      `${report.iterations} iteration${report.iterations === 1 ? "" : "s"} of ${escapeControls(commandLine(report.ran))} in ${secs.toFixed(1)} s on ${report.workers} worker${report.workers === 1 ? "" : "s"}; ${report.failedIterations} failed`,
    ),
  );
  if (report.cwd !== process.cwd()) lines.push(style.dim(`ran in ${escapeControls(report.cwd)} (run the re-run commands there)`));
  for (const n of extras.notes ?? []) lines.push(style.dim(n));
  for (const c of report.cutOutputs.slice(0, 5)) {
    lines.push(style.yellow(`iteration ${c.iteration}: output cut to its last part (${c.droppedBytes} bytes dropped, --max-output)`));
  }
  if (report.cutOutputs.length > 5) lines.push(style.yellow(`… ${report.cutOutputs.length - 5} more iterations had their output cut`));
  const killed = report.killedProcesses.reduce((n, k) => n + k.killed, 0);
  if (killed > 0) {
    const its = report.killedProcesses.map((k) => k.iteration);
    const shown = `${its.slice(0, 10).join(", ")}${its.length > 10 ? ", …" : ""}`;
    lines.push(
      style.yellow(
        `killed ${killed} process${killed === 1 ? "" : "es"} left running by ${its.length} iteration${its.length === 1 ? "" : "s"} (${shown}): started in their own session (setsid, daemons) or still running at a timeout`,
      ),
    );
  }
  if (report.omittedPassingRuns > 0)
    lines.push(style.dim(`${report.omittedPassingRuns} more passing results ran but are not listed in the report or counted above (memory cap)`));
  if (extras.stoppedEarly === true) lines.push(style.yellow(`stopped early (--fail-fast / --max-failures): ${extras.notRun ?? 0} iterations not run`));
  else if (report.interrupted) lines.push(style.yellow(`interrupted: ${extras.notRun ?? 0} iterations not run`));
  if (report.outDir !== null) lines.push(`saved outputs: ${escapeControls(report.outDir)}`);
  for (const w of extras.written ?? []) lines.push(`wrote ${escapeControls(w)}`);
  lines.push(formatTotalsLine(tally));
  return lines;
}

/** Widest example message shown in the triage block, in display cells. */
export const EXAMPLE_WIDTH = 160;

/**
 * An example message's first line, cut to EXAMPLE_WIDTH cells (a TestRPCBytes3B failure carries 5,000
 * random characters); a cut one says how long it is, and that the report and the saved output have it
 * whole.
 */
function exampleCell(message: string, style: Style): string {
  const line = escapeControls(message.split(/\r?\n/, 1)[0] ?? "");
  const width = displayWidth(line);
  if (width <= EXAMPLE_WIDTH) return line;
  return `${fitWidth(line, EXAMPLE_WIDTH)} ${style.dim(`(cut: ${width.toLocaleString("en-US")} characters, whole in the saved output and the report)`)}`;
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}
