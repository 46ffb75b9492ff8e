// The summary table printed at the end of a batch (and by `triage` and `merge`).

import { escapeControls } from "@raftlab/raft";
import type { BatchTally } from "./stats.js";
import { makeStyle, padEndVisible, padStartVisible, type Style } from "@raftlab/raft/terminal";

export function fmtSeconds(ms: number): string {
  return Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(2);
}

/**
 * 95% Wilson score interval of a failure rate: with 0 failures in n runs the upper bound (about 3.8/n) says
 * how rare a failure could still be, i.e. how much a clean batch proves.
 */
export function wilsonInterval(failed: number, total: number, z = 1.96): [number, number] {
  if (total === 0) return [0, 1];
  const p = failed / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / (1 + z2 / total);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function pct(x: number): string {
  const v = 100 * x;
  return v === 0 ? "0" : v < 0.1 ? v.toFixed(2) : v < 10 ? v.toFixed(1) : v.toFixed(0);
}

/** The failure-rate cells of a row: the rate and its 95% Wilson interval ("-" before any run). */
export function failureRateCells(failed: number, total: number): [rate: string, interval: string] {
  if (total === 0) return ["-", "-"];
  const [lo, hi] = wilsonInterval(failed, total);
  return [`${((100 * failed) / total).toFixed(1)}%`, `${pct(lo)}–${pct(hi)}%`];
}

/**
 * A plain-text table: a bold header, a rule, then the rows, the first column left-aligned and the rest
 * right-aligned; rows flagged as failing are red.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], failing: readonly boolean[], style: Style): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[], colour: (s: string) => string = (s) => s): string =>
    cells
      .map((c, i) => (i === 0 ? padEndVisible(c, widths[i] ?? 0) : padStartVisible(c, widths[i] ?? 0)))
      .map(colour)
      .join("  ");
  const out = [style.bold(line(header)), widths.map((w) => "-".repeat(w)).join("  ")];
  rows.forEach((row, i) => out.push(line(row, failing[i] === true ? style.red : (s) => s)));
  return out;
}

/**
 * Rows: test, failed, total, failure rate with its 95% interval, virtual time mean ± σ (s), mean wall time
 * (ms); and, when any run of the batch had counted warnings of the checker (heartbeat rate, term changed),
 * "Warned": the runs with warnings and, in brackets, the warnings in all.
 */
export function formatSummaryTable(tally: BatchTally, style: Style = makeStyle(false)): string[] {
  const warned = tally.tests.some((t) => t.warned > 0);
  const header = ["Test", "Failed", "Total", "Fail rate", "95% CI", "Virtual time (s)", "Wall (ms)", ...(warned ? ["Warned"] : [])];
  const rows: string[][] = tally.tests.map((t) => {
    const vt = t.virtualMs.count === 0 ? "-" : `${fmtSeconds(t.virtualMs.mean)} ± ${fmtSeconds(t.virtualMs.stddev)}`;
    const wall = t.wallMs.count === 0 ? "-" : t.wallMs.mean.toFixed(0);
    const warnings = t.warned === 0 ? "0" : `${t.warned} (${t.warnings})`;
    return [escapeControls(t.test), String(t.failed), String(t.total), ...failureRateCells(t.failed, t.total), vt, wall, ...(warned ? [warnings] : [])];
  });
  return renderTable(
    header,
    rows,
    tally.tests.map((t) => t.failed > 0),
    style,
  );
}

/** The last line of every batch, triage and merge: `N passed, N failed`. */
export function formatTotalsLine(tally: BatchTally): string {
  return `${tally.passed} passed, ${tally.failed} failed`;
}
