// The summary table printed at the end of a batch (and by `triage` and `merge`).

import type { BatchTally } from "./stats.js";
import { makeStyle, padEnd, padStart, type Style } from "./style.js";

function fmtSeconds(ms: number): string {
  return Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(2);
}

/** Rows: test, failed, total, failure rate, virtual time mean ± σ (s), mean wall time (ms). */
export function formatSummaryTable(tally: BatchTally, style: Style = makeStyle(false)): string[] {
  const header = ["Test", "Failed", "Total", "Fail rate", "Virtual time (s)", "Wall (ms)"];
  const rows: string[][] = tally.tests.map((t) => {
    const rate = t.total === 0 ? "-" : `${((100 * t.failed) / t.total).toFixed(1)}%`;
    const vt = t.virtualMs.count === 0 ? "-" : `${fmtSeconds(t.virtualMs.mean)} ± ${fmtSeconds(t.virtualMs.stddev)}`;
    const wall = t.wallMs.count === 0 ? "-" : t.wallMs.mean.toFixed(0);
    return [t.test, String(t.failed), String(t.total), rate, vt, wall];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[], colour: (s: string) => string = (s) => s): string =>
    cells
      .map((c, i) => (i === 0 ? padEnd(c, widths[i] ?? 0) : padStart(c, widths[i] ?? 0)))
      .map(colour)
      .join("  ");
  const out = [style.bold(line(header)), widths.map((w) => "-".repeat(w)).join("  ")];
  tally.tests.forEach((t, i) => {
    const row = rows[i] ?? [];
    out.push(line(row, t.failed > 0 ? style.red : (s) => s));
  });
  return out;
}

/** The last line of every batch, triage and merge: `N passed, N failed`. */
export function formatTotalsLine(tally: BatchTally): string {
  return `${tally.passed} passed, ${tally.failed} failed`;
}
