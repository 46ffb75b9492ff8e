// Drawing: a Viewer's state as the lines of one screen (title, column header, rows, detail pane,
// status line). Pure string building; Ink only prints the result.
import { escapeControls as escapeShared } from "@raftlab/raft";
import { describeFilter } from "./filter.js";
import { formatColumnHeader, formatRow, peerStatesAt } from "./layout.js";
import { detailLines, staleSummary } from "./detail.js";
import { HELP_FILTER_RULES, HELP_KEYS } from "./help.js";
import { PROMPT_LABEL } from "./prompts.js";
import { displayWidth, escapeControls, fitWidth, padWidth } from "./sanitize.js";
import type { Viewer } from "./viewer.js";

/** The whole screen for a viewer: exactly `height - 1` lines. It also keeps the cursor on screen. */
export function drawFrame(v: Viewer): string[] {
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
    } else lines.push(pos === 0 && n === 0 ? padWidth(v.store.length === 0 ? " (no lines yet)" : " (no lines match the filters)", width) : padWidth("~", width));
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

export function statusLine(v: Viewer, width: number): string {
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
  if (v.search) parts.push(`/${escapeControls(v.search.source)} ${v.searchStatus()}`);
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
  // eslint-disable-next-line no-control-regex
  const plain = s.replace(/\x1b\[[0-9;]*m/g, "");
  const w = displayWidth(plain);
  if (w === width) return s;
  if (w < width) return s + " ".repeat(width - w);
  // Too wide (rare): cut the plain text rather than risk cutting inside an escape sequence.
  return padWidth(plain, width);
}
