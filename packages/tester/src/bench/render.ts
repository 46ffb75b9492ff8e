// Terminal output: each figure as a titled, aligned table, its goals with a verdict, and its notes.
// Colour only when asked for (the CLI decides, by the shared rule of @raftlab/raft/terminal).

import { chalkFor, one } from "@raftlab/raft/terminal";
import type { Cell, Figure, FigureTable } from "./types.js";

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
}

export function makePaint(colour: boolean): Paint {
  if (!colour) {
    const id = (s: string): string => s;
    return { bold: id, dim: id, good: id, bad: id, warn: id };
  }
  const c = chalkFor(true);
  return { bold: one(c.bold), dim: one(c.dim), good: one(c.green), bad: one(c.red), warn: one(c.yellow) };
}

function isNumeric(c: Cell): boolean {
  return typeof c === "number" || /^[-+]?[\d,.]+(\s*(×|%|s|ms))?$/.test(c.trim());
}

export function renderTable(t: FigureTable, paint: Paint): string {
  const cells = t.rows.map((r) => r.map((c) => String(c)));
  const widths = t.columns.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[], raw: readonly Cell[] | null): string =>
    r
      .map((c, i) => {
        const w = widths[i] ?? 0;
        // Numbers right-aligned, text (and the first column) left-aligned.
        return i > 0 && raw !== null && isNumeric(raw[i] ?? "") ? c.padStart(w) : c.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  const out = [paint.bold(line(t.columns, null)), paint.dim(widths.map((w) => "-".repeat(w)).join("  "))];
  t.rows.forEach((r, i) => out.push(line(cells[i] ?? [], r)));
  return out.join("\n");
}

export function renderFigure(f: Figure, paint: Paint): string {
  const out: string[] = [paint.bold(f.title)];
  if (f.notMeasured !== undefined) {
    out.push(paint.warn(`  not measured: ${f.notMeasured}`));
    return out.join("\n");
  }
  for (const t of f.tables) out.push(renderTable(t, paint));
  for (const g of f.goals) {
    const verdict = g.met ? paint.good("goal met    ") : paint.bad("goal NOT met");
    out.push(`${verdict}  ${g.text}: ${g.detail}`);
  }
  for (const n of f.notes) out.push(paint.dim(`  · ${n}`));
  return out.join("\n");
}

function mdCell(c: Cell): string {
  return String(c).replace(/\|/g, "\\|");
}

/** A figure as Markdown (for docs/performance.md and the README's Performance section). */
export function renderFigureMarkdown(f: Figure): string {
  const out: string[] = [`### ${f.title}`, ""];
  if (f.notMeasured !== undefined) {
    out.push(`Not measured: ${f.notMeasured}`);
    return out.join("\n");
  }
  for (const t of f.tables) {
    out.push(`| ${t.columns.map(mdCell).join(" | ")} |`);
    out.push(`|${t.columns.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`);
    for (const r of t.rows) out.push(`| ${r.map(mdCell).join(" | ")} |`);
    out.push("");
  }
  for (const g of f.goals) out.push(`- **${g.met ? "Goal met" : "Goal NOT met"}**: ${g.text}: ${g.detail}`);
  if (f.goals.length > 0) out.push("");
  for (const n of f.notes) out.push(`- ${n}`);
  return out.join("\n");
}
