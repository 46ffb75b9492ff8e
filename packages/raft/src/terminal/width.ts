// Terminal cell widths, from string-width: the library Ink itself measures with, so the interactive
// view, print mode and Ink agree on where every column starts (emoji and CJK take 2 cells, combining
// and zero-width characters 0). Log text reaching here is already escaped (no controls).
//
// string-width costs about 50 ms to load (Unicode property regexes, the ICU segmenter), more than
// print mode's whole start-up budget, and most logs are plain ASCII, whose width is its length. So it
// is loaded on the first string that is not plain ASCII, synchronously (Node 20.19+ can require an
// ES module; Ink has usually loaded it already in the interactive view).
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";

type WidthFn = (s: string) => number;

const PLAIN = /^[\x20-\x7e]*$/;
export function isPlainAscii(s: string): boolean {
  return PLAIN.test(s);
}

let measure: WidthFn | null = null;
let segmenter: Intl.Segmenter | null = null;

function stringWidth(): WidthFn {
  if (measure) return measure;
  // Loaded by its real path: Node 20's require(esm) resolves the module's own imports from the path it
  // was given, and pnpm's node_modules/string-width is a symlink whose neighbours are not its deps.
  const req = createRequire(import.meta.url);
  const mod = req(realpathSync(req.resolve("string-width"))) as { default: WidthFn };
  measure = mod.default;
  return measure;
}

/** Grapheme clusters of `s`: a terminal draws each as one unit (an emoji with modifiers, a letter
 * with its accents), so cuts fall between clusters, never inside one. */
function clusters(s: string): Iterable<{ segment: string }> {
  segmenter ??= new Intl.Segmenter();
  return segmenter.segment(s);
}

/** Display width in cells of an escaped (control-free) string without ANSI codes. */
export function displayWidth(s: string): number {
  if (isPlainAscii(s)) return s.length;
  return stringWidth()(s);
}

/** Cuts an escaped string to at most `width` cells, marking the cut with an ellipsis. */
export function fitWidth(s: string, width: number): string {
  if (width <= 0) return "";
  if (isPlainAscii(s)) {
    if (s.length <= width) return s;
    return width === 1 ? "…" : s.slice(0, width - 1) + "…";
  }
  const sw = stringWidth();
  if (sw(s) <= width) return s;
  let out = "";
  let w = 0;
  for (const { segment } of clusters(s)) {
    const cw = sw(segment);
    if (w + cw > width - 1) break;
    out += segment;
    w += cw;
  }
  return out + "…";
}

/** Cuts or pads an escaped string to exactly `width` cells. */
export function padWidth(s: string, width: number): string {
  if (width <= 0) return "";
  if (isPlainAscii(s)) {
    if (s.length === width) return s;
    if (s.length < width) return s + " ".repeat(width - s.length);
    return width === 1 ? "…" : s.slice(0, width - 1) + "…";
  }
  const fitted = fitWidth(s, width);
  const w = displayWidth(fitted);
  return w >= width ? fitted : fitted + " ".repeat(width - w);
}

/**
 * Breaks an escaped string into pieces of at most `width` cells, for text that must be shown whole
 * (print mode's --wrap). A break goes after the last space of a piece when that keeps at least half
 * of it; otherwise the piece is cut at the width. Always at least one piece.
 */
export function wrapWidth(s: string, width: number): string[] {
  const w = Math.max(1, width);
  if (isPlainAscii(s)) {
    if (s.length <= w) return [s];
    const out: string[] = [];
    let pos = 0;
    while (s.length - pos > w) {
      let end = pos + w;
      const sp = s.lastIndexOf(" ", end - 1);
      if (sp > pos + (w >> 1)) end = sp + 1;
      out.push(s.slice(pos, end));
      pos = end;
    }
    out.push(s.slice(pos));
    return out;
  }
  const sw = stringWidth();
  if (sw(s) <= w) return [s];
  const out: string[] = [];
  let cur = "";
  let cw = 0;
  for (const { segment } of clusters(s)) {
    const gw = sw(segment);
    if (cw + gw > w && cur !== "") {
      out.push(cur);
      cur = "";
      cw = 0;
    }
    cur += segment;
    cw += gw;
  }
  out.push(cur);
  return out;
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/** `s` without its ANSI colour codes. */
export function stripAnsi(s: string): string {
  return s.indexOf("\u001b[") >= 0 ? s.replace(SGR, "") : s;
}

/** Display width in cells of an escaped string that may hold ANSI colour codes (a styled cell). */
export function visibleWidth(s: string): number {
  return displayWidth(stripAnsi(s));
}

/** Pads a styled string with spaces on the right to `width` cells (never cuts). */
export function padEndVisible(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - visibleWidth(s)));
}

/** Pads a styled string with spaces on the left to `width` cells (never cuts). */
export function padStartVisible(s: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleWidth(s))) + s;
}
