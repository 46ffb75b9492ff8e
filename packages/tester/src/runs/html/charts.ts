// The report's two charts as inline SVG, drawn on the server from numbers (no script, no library): the
// failure rate of each test with its 95% interval, and the spread of each test's wall time (a box from
// the 25th to the 75th percentile, whiskers to min and max, a bar at the median, a tick at p90). Text is
// escaped; everything else is a number.

import { escapeHtml } from "@raftlab/logviz/html";
import type { TestRow } from "./model.js";

const LABEL_W = 250;
const PLOT_W = 420;
const VALUE_W = 150;
const ROW_H = 20;
const TOP = 22;
const LABEL_CHARS = 36;

/** The smallest "nice" bound at or above x (1, 2, 5 times a power of ten). */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

function label(test: string, y: number): string {
  const short = test.length > LABEL_CHARS ? `${test.slice(0, LABEL_CHARS - 1)}…` : test;
  return `<text class="label" x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end"><title>${escapeHtml(test)}</title>${escapeHtml(short)}</text>`;
}

function axis(max: number, fmt: (v: number) => string, height: number): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = LABEL_W + f * PLOT_W;
    return `<line class="grid" x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${height}"/><text class="tick" x="${x}" y="${TOP - 8}" text-anchor="middle">${escapeHtml(fmt(f * max))}</text>`;
  });
  return ticks.join("");
}

function svgOpen(cls: string, height: number, what: string): string {
  const w = LABEL_W + PLOT_W + VALUE_W;
  return `<svg class="chart ${cls}" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" role="img" aria-label="${escapeHtml(what)}">`;
}

export function pct(x: number): string {
  const v = 100 * x;
  return v === 0 ? "0%" : v < 0.1 ? `${v.toFixed(2)}%` : v < 10 ? `${v.toFixed(1)}%` : `${v.toFixed(0)}%`;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`;
}

/** One bar per test: the failure rate, a whisker over its 95% interval, the rate written beside it. */
export function failureRateChart(rows: readonly TestRow[]): string {
  const max = niceCeil(Math.max(0.01, ...rows.map((r) => r.hi)));
  const height = TOP + rows.length * ROW_H + 4;
  const x = (v: number): number => LABEL_W + (Math.min(v, max) / max) * PLOT_W;
  const bars = rows.map((r, i) => {
    const y = TOP + i * ROW_H;
    const w = (Math.min(r.rate, max) / max) * PLOT_W;
    const cls = r.failed > 0 ? "bar failing" : "bar";
    return (
      `<g class="bar-row" data-test="${escapeHtml(r.test)}" data-failed="${r.failed}" data-total="${r.total}">` +
      label(r.test, y) +
      `<rect class="${cls}" x="${LABEL_W}" y="${y + 4}" width="${w.toFixed(2)}" height="${ROW_H - 8}" data-rate="${r.rate}"><title>${escapeHtml(`${r.test}: ${r.failed}/${r.total} failed (${pct(r.rate)}, 95% CI ${pct(r.lo)}–${pct(r.hi)})`)}</title></rect>` +
      `<line class="ci" x1="${x(r.lo).toFixed(2)}" y1="${y + ROW_H / 2}" x2="${x(r.hi).toFixed(2)}" y2="${y + ROW_H / 2}"/>` +
      `<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${y + 14}">${escapeHtml(`${pct(r.rate)} (${r.failed}/${r.total})`)}</text></g>`
    );
  });
  return `${svgOpen("rates", height, "failure rate per test")}${axis(max, pct, height)}${bars.join("")}</svg>`;
}

/** One box per test on a shared scale: min–max whiskers, p25–p75 box, the median, a p90 tick. */
export function wallTimeChart(rows: readonly TestRow[]): string {
  const timed = rows.filter((r) => r.wall !== null);
  const max = niceCeil(Math.max(1, ...timed.map((r) => r.wall?.max ?? 0)));
  const height = TOP + timed.length * ROW_H + 4;
  const x = (v: number): number => LABEL_W + (Math.max(0, Math.min(v, max)) / max) * PLOT_W;
  const boxes = timed.map((r, i) => {
    const w = r.wall!;
    const y = TOP + i * ROW_H;
    const mid = y + ROW_H / 2;
    const f = (v: number): string => x(v).toFixed(2);
    return (
      `<g class="box-row" data-test="${escapeHtml(r.test)}" data-n="${w.n}" data-min="${w.min}" data-median="${w.median}" data-p90="${w.p90}" data-max="${w.max}">` +
      `<title>${escapeHtml(`${r.test}: ${w.n} runs, min ${fmtMs(w.min)}, median ${fmtMs(w.median)}, p90 ${fmtMs(w.p90)}, max ${fmtMs(w.max)}`)}</title>` +
      label(r.test, y) +
      `<line class="whisker" x1="${f(w.min)}" y1="${mid}" x2="${f(w.max)}" y2="${mid}"/>` +
      `<line class="whisker" x1="${f(w.min)}" y1="${y + 6}" x2="${f(w.min)}" y2="${y + ROW_H - 6}"/>` +
      `<line class="whisker" x1="${f(w.max)}" y1="${y + 6}" x2="${f(w.max)}" y2="${y + ROW_H - 6}"/>` +
      `<rect class="box" x="${f(w.p25)}" y="${y + 4}" width="${Math.max(1, x(w.p75) - x(w.p25)).toFixed(2)}" height="${ROW_H - 8}"/>` +
      `<line class="median" x1="${f(w.median)}" y1="${y + 3}" x2="${f(w.median)}" y2="${y + ROW_H - 3}"/>` +
      `<line class="p90" x1="${f(w.p90)}" y1="${y + 2}" x2="${f(w.p90)}" y2="${y + ROW_H - 2}"/>` +
      `<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${y + 14}">${escapeHtml(`median ${fmtMs(w.median)}`)}</text></g>`
    );
  });
  return `${svgOpen("walls", height, "wall time per test")}${axis(max, fmtMs, height)}${boxes.join("")}</svg>`;
}
