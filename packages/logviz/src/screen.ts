// Drawing: a Viewer's state as the lines of one screen (title, column header, rows, detail pane,
// status line). Pure string building; Ink only prints the result.
import { escapeControls as escapeShared } from "@raftlab/raft/trace";
import { describeFilter, type Filter, type VisibleRows } from "./filter.js";
import { formatColumnHeader, formatRow, peerStatesAt, type Layout } from "./layout.js";
import { detailLines, staleSummary } from "./detail.js";
import { HELP_FILTER_RULES, HELP_KEYS } from "./help.js";
import { PROMPT_LABEL, type PromptKind } from "./prompts.js";
import { displayWidth, escapeControls, fitWidth, padWidth } from "./sanitize.js";
import type { LogStore } from "./store.js";
import type { Style } from "./style.js";

/**
 * What drawing reads of a viewer (the Viewer class satisfies it). Stated here, below the viewer, so
 * that the viewer imports the drawing and the drawing never imports the viewer. Drawing writes only
 * `cursor` and `top`, to keep the cursor on screen.
 */
export interface ScreenState {
  readonly store: LogStore;
  readonly style: Style;
  readonly source: string;
  readonly filter: Filter;
  readonly visible: VisibleRows;
  cursor: number;
  top: number;
  readonly follow: boolean;
  readonly live: boolean;
  readonly width: number;
  readonly height: number;
  readonly prompt: { readonly kind: PromptKind; readonly text: string } | null;
  readonly help: boolean;
  readonly detail: boolean;
  readonly search: RegExp | null;
  /** `/~pattern`: the search covers every field of the input line, not only what rows show. */
  readonly searchAll: boolean;
  readonly message: string;
  readonly messageIsError: boolean;
  readonly detailHeight: number;
  layout(): Layout;
  selectedRow(): number | undefined;
  searchStatus(): string;
  detailView(lines: readonly string[], rows: number): { shown: readonly string[]; first: number; total: number };
}

/** The whole screen for a viewer: exactly `height - 1` lines. It also keeps the cursor on screen. */
export function drawFrame(v: ScreenState): string[] {
  const H = Math.max(4, v.height - 1);
  const W = Math.max(20, v.width);
  const s = v.style;
  const lines: string[] = [];
  const lay = v.layout();
  const width = lay.width > W ? W : lay.width;
  const body = Math.max(1, H - 3 - v.detailHeight);
  // Keep the cursor on screen.
  const n = v.visible.length;
  if (v.cursor >= n) v.cursor = Math.max(0, n - 1);
  if (v.cursor < v.top) v.top = v.cursor;
  if (v.cursor >= v.top + body) v.top = v.cursor - body + 1;
  if (v.top > Math.max(0, n - body)) v.top = Math.max(0, n - body);
  const sel = v.selectedRow();
  // Title: source, current test.
  const testName = sel !== undefined ? v.store.testName(sel) : "";
  // The source is a file name from the user: escaped like any data (it may hold ESC ] 0 ; a title).
  const title = ` logviz  ${escapeShared(v.source)}${testName ? "   test: " + testName : ""}   ${v.store.peers.length} peers`;
  lines.push(s.header(padWidth(title, width)));
  if (v.help) {
    const help = `${HELP_KEYS}\n\n${HELP_FILTER_RULES}`.split("\n");
    for (let i = 0; i < H - 2; i++) lines.push(padWidth(help[i] ?? "", width));
    lines.push(s.status(padWidth(" any key: back   q: quit", width)));
    return lines;
  }
  const states = peerStatesAt(v.store, sel ?? 0, lay.cols);
  lines.push(formatColumnHeader(lay, states, s, sel !== undefined ? v.store.testName(sel) : undefined));
  for (let i = 0; i < body; i++) {
    const pos = v.top + i;
    if (pos < n) {
      const row = v.visible.at(pos);
      lines.push(fitAnsi(formatRow(v.store, row, lay, s, { selected: pos === v.cursor, search: v.search }), width));
    } else
      lines.push(pos === 0 && n === 0 ? padWidth(v.store.length === 0 ? " (no lines yet)" : " (no lines match the filters)", width) : padWidth("~", width));
  }
  if (v.detail && sel !== undefined) {
    const dh = v.detailHeight;
    const d = v.detailView(detailLines(v.store, sel, width), dh - 1);
    // The rule above the pane says where the pane is when it holds more than fits (J/K scroll it).
    const where = d.total > dh - 1 ? ` lines ${d.first + 1}-${d.first + d.shown.length} of ${d.total} (J/K, </> scroll) ` : "";
    lines.push(s.dim("─".repeat(Math.max(0, width - where.length)) + where));
    for (let i = 0; i < dh - 1; i++) lines.push(padWidth(d.shown[i] ?? "", width));
  }
  lines.push(statusLine(v, width));
  return lines;
}

export function statusLine(v: ScreenState, width: number): string {
  const s = v.style;
  if (v.prompt) {
    const label = PROMPT_LABEL[v.prompt.kind];
    return s.status(padWidth(label + escapeControls(v.prompt.text) + "█", width));
  }
  const f = describeFilter(v.filter);
  const parts = [` ${v.visible.length}/${v.store.length} lines`];
  // A stream past --max-rows keeps only its newest rows: say how many went.
  if (v.store.dropped > 0) parts.push(`${v.store.dropped} oldest dropped (--max-rows ${v.store.maxRows})`);
  if (f) parts.push(f);
  if (v.search) parts.push(`/${v.searchAll ? "~" : ""}${escapeControls(v.search.source)} ${v.searchStatus()}`);
  const sel = v.selectedRow();
  const stale = sel !== undefined ? staleSummary(v.store, v.store.test[sel] as number) : "";
  if (stale) parts.push(stale);
  parts.push((v.live ? "live" : "end of input") + (v.follow ? " FOLLOW" : ""));
  let left = parts.join(" │ ");
  const right = " ?:help q:quit ";
  if (v.message) {
    const msg = fitWidth(" " + v.message + " ", Math.max(10, width - left.length - right.length - 3));
    left += " │" + (v.messageIsError ? s.error(msg) : msg);
  }
  return s.status(fitAnsi(left, width - right.length)) + s.status(right);
}

/** Pads/cuts a string that may hold our own ANSI codes (never log text's: that is escaped). */
function fitAnsi(s: string, width: number): string {
  // eslint-disable-next-line no-control-regex -- an ANSI SGR sequence starts with ESC (U+001B)
  const plain = s.replace(/\x1b\[[0-9;]*m/g, "");
  const w = displayWidth(plain);
  if (w === width) return s;
  if (w < width) return s + " ".repeat(width - w);
  // Too wide (rare): cut the plain text rather than risk cutting inside an escape sequence.
  return padWidth(plain, width);
}
