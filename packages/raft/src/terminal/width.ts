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

/** Characters segmented at a time: V8's Intl.Segmenter is quadratic in the length of the string it is
 * given (65,000 characters took 9 s, 13,000 0.56 s), and string-width segments its whole input, so a
 * long line is never handed to either whole. */
const WINDOW = 256;

function printableAscii(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** Is there surely a cluster boundary before s[i]? Not before a combining mark, a zero-width joiner, a
 * variation selector, a low surrogate, or an emoji skin-tone modifier, nor just after a joiner. */
function boundaryBefore(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if ((c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xdc00 && c <= 0xdfff) || (c >= 0x20d0 && c <= 0x20ff)) return false;
  if (c === 0xd83c) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdffb && d <= 0xdfff) return false;
  }
  return s.charCodeAt(i - 1) !== 0x200d;
}

/** Grapheme clusters of `s`: a terminal draws each as one unit (an emoji with modifiers, a letter
 * with its accents), so cuts fall between clusters, never inside one. Linear in the length: printable
 * ASCII characters are their own clusters (a cluster boundary always falls before one), and only the
 * stretches between them go through the segmenter, at most WINDOW characters at a time. */
function* clusters(s: string): Generator<string> {
  segmenter ??= new Intl.Segmenter();
  const n = s.length;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && printableAscii(s.charCodeAt(j))) j++;
    if (j === n) {
      for (let k = i; k < n; k++) yield s.charAt(k);
      return;
    }
    // The ASCII character just before a non-ASCII one may start a cluster with it (e + U+0301).
    const start = j > i ? j - 1 : j;
    for (let k = i; k < start; k++) yield s.charAt(k);
    let e = j + 1;
    while (e < n && !printableAscii(s.charCodeAt(e)) && e - start < WINDOW) e++;
    while (e < n && e - start < WINDOW + 32 && !boundaryBefore(s, e)) e++;
    for (const { segment } of segmenter.segment(s.slice(start, e))) yield segment;
    i = e;
  }
}

/** Strings up to this long are measured by string-width whole; longer ones cluster by cluster. */
const WHOLE_MAX = 1024;

/** Width of one grapheme cluster: a printable ASCII character is one cell without asking string-width,
 * whose per-call cost (about a third of a millisecond) made a long line with one wide character (the `…`
 * of a cut line) take seconds per row when measured cluster by cluster. */
function clusterWidth(sw: WidthFn, seg: string): number {
  if (seg.length === 1) {
    const c = seg.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
  }
  return sw(seg);
}

/** Printable ASCII, box drawing (U+2500–U+257F) and the ellipsis: one cell each, as string-width
 * counts them (East Asian "ambiguous", narrow by default; none is an emoji). The frames logviz draws
 * are made of these, so measuring one needs no string-width (about 50 ms to load: most of the first
 * frame's cost). */
const NARROW = /^[\x20-\x7e\u2500-\u257f\u2026]*$/;

/** Display width in cells of an escaped (control-free) string without ANSI codes. */
export function displayWidth(s: string): number {
  if (NARROW.test(s)) return s.length;
  const sw = stringWidth();
  if (s.length <= WHOLE_MAX) return sw(s);
  let w = 0;
  for (const seg of clusters(s)) w += clusterWidth(sw, seg);
  return w;
}

/** Cuts an escaped string to at most `width` cells, marking the cut with an ellipsis. */
export function fitWidth(s: string, width: number): string {
  if (width <= 0) return "";
  if (isPlainAscii(s)) {
    if (s.length <= width) return s;
    return width === 1 ? "…" : s.slice(0, width - 1) + "…";
  }
  const sw = stringWidth();
  if (displayWidth(s) <= width) return s;
  let out = "";
  let w = 0;
  for (const segment of clusters(s)) {
    const cw = clusterWidth(sw, segment);
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
  if (displayWidth(s) <= w) return [s];
  const out: string[] = [];
  let cur = "";
  let cw = 0;
  for (const segment of clusters(s)) {
    const gw = clusterWidth(sw, segment);
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
