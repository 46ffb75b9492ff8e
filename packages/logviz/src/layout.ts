// Column layout and row formatting, shared by the interactive view and print mode.
import { F, Kind, LogStore, NO_PEER, RoleId } from "./store.js";
import type { Style } from "./style.js";
import { scheduledLabel } from "./schedule-overlay.js";
import { displayWidth, fitWidth, isPlainAscii, padWidth, wrapWidth } from "@raftlab/raft/terminal";

/** Narrowest useful peer column; with more peers than fit, columns scroll horizontally. */
export const MIN_COL = 12;
const TIME_W = 8;
const TERM_W = 4;
/** Topic names are 4 letters by convention; custom longer ones (HEART) widen the gutter, up to 8. */
const TOPIC_W = 4;
const TOPIC_W_MAX = 8;

/** Gutter width: time, term and topic, each followed by a space. */
export function gutterWidth(topicWidth: number): number {
  return TIME_W + 1 + TERM_W + 1 + topicWidth + 1;
}

/** The topic column's width for a store: its longest topic name, between 4 and 8. */
export function topicWidthOf(store: LogStore): number {
  let w = TOPIC_W;
  for (const n of store.topics.names) if (n.length > w) w = n.length;
  return Math.min(w, TOPIC_W_MAX);
}

export interface Layout {
  readonly width: number;
  /** The peers drawn as columns, left to right. */
  readonly cols: readonly number[];
  /** Width of each column including its left separator. */
  readonly colWidth: number;
  /** Peers that exist but are scrolled off (left, right). */
  readonly offLeft: number;
  readonly offRight: number;
  /** peer → column index, -1 if not drawn. */
  readonly colOf: Map<number, number>;
  /** Width of the topic field in the gutter, and of the whole gutter. */
  readonly topicWidth: number;
  readonly gutter: number;
}

export function computeLayout(width: number, peers: readonly number[], hscroll = 0, topicWidth = TOPIC_W): Layout {
  const gutter = gutterWidth(topicWidth);
  const w = Math.max(width, gutter + MIN_COL);
  let avail = w - gutter;
  const n = peers.length;
  // With more peers than fit, keep room for the "◀2 3▶" scroll indicator at the right.
  if (n * MIN_COL > avail) avail -= 8;
  const fit = Math.max(1, Math.floor(avail / MIN_COL));
  const shown = Math.min(n, fit);
  const first = Math.max(0, Math.min(hscroll, n - shown));
  const cols = peers.slice(first, first + shown);
  const colWidth = cols.length > 0 ? Math.floor(avail / cols.length) : avail;
  const colOf = new Map<number, number>();
  cols.forEach((p, i) => colOf.set(p, i));
  return { width: w, cols, colWidth, offLeft: first, offRight: n - first - shown, colOf, topicWidth, gutter };
}

export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return "";
  // Up to 999999.9 ms the full 0.1 ms of a dslogs time fits the 8-cell field (7-digit times included);
  // later times switch to seconds, with as many decimals as fit.
  if (t < 1e6) {
    // dslogs times are whole tenths of a ms: build "1234.5" from the integer, as toFixed(1) would
    // print it (toFixed is a large share of print mode's time); anything else goes through toFixed.
    const k = Math.round(t * 10);
    if (t >= 0 && k / 10 === t) return `${(k - (k % 10)) / 10}.${k % 10}`;
    return t.toFixed(1);
  }
  if (t < 1e7) return (t / 1000).toFixed(2) + "s";
  if (t < 1e8) return (t / 1000).toFixed(1) + "s";
  return (t / 1000).toFixed(0) + "s";
}

function gutter(store: LogStore, row: number, style: Style, selected: boolean, topicWidth: number): string {
  const time = formatTime(store.t[row] as number).padStart(TIME_W);
  const term = store.term[row] as number;
  const termS = (term >= 0 ? "T" + term : "").padEnd(TERM_W).slice(0, TERM_W);
  const topicName = store.topics.name(store.topic[row] as number);
  const topicS = padWidth(topicName, topicWidth);
  // A row from a stale instance of its peer (a killed Raft still logging) is marked "!" before its term.
  // A harness row a --schedule overlay marked (a scheduled drop, a crash from the schedule): "*" there.
  const mark = markOf(store.flags[row] as number);
  let g = `${time}${mark ?? " "}${termS} `;
  // Without colour there is no inverse video: mark the selected row with ">" instead.
  if (selected && !style.color) g = ">" + g.slice(1);
  const painted = selected
    ? style.cursor(g)
    : mark !== null
      ? style.dim(g.slice(0, TIME_W)) + style.error(mark) + style.dim(g.slice(TIME_W + 1))
      : style.dim(g);
  return painted + (topicName ? style.topic(topicName)(topicS) : topicS) + " ";
}

/** Marks a row from a stale instance, between the time and the term. */
export const STALE_MARK = "!";
/** Marks, in the same place, a row whose fault the --schedule overlay holds. */
export const SCHEDULED_MARK = "*";

function markOf(flags: number): string | null {
  return (flags & F.Stale) !== 0 ? STALE_MARK : (flags & F.Scheduled) !== 0 ? SCHEDULED_MARK : null;
}

/** Header label above the gutter. */
export function gutterLabel(topicWidth = TOPIC_W): string {
  return "ms".padStart(TIME_W) + " " + "term".padEnd(TERM_W) + " " + "topc".padEnd(topicWidth) + " ";
}

/** The text of a full-width row (harness event, TEST line, raw line). */
export function fullText(store: LogStore, row: number): string {
  const kind = store.kind[row] as Kind;
  const text = store.textAt(row);
  if (kind === Kind.Json) {
    const op = store.ops.name(store.op[row] as number);
    const peer = store.dst[row] as number;
    const about = peer >= 0 ? ` S${peer}` : "";
    const label = ((store.flags[row] as number) & F.Scheduled) !== 0 ? `  ${scheduledLabel(op)}` : "";
    return `── ${op}${about}${label}${text ? "  " + text : ""}`;
  }
  return text;
}

function paintFull(store: LogStore, row: number, style: Style, s: string): string {
  const flags = store.flags[row] as number;
  const kind = store.kind[row] as Kind;
  if (kind === Kind.Json) return style.harness(store.ops.name(store.op[row] as number), (flags & F.Fail) !== 0)(s);
  if (kind === Kind.Dslog) {
    if (flags & F.Fail) return style.rawFail(s);
    return style.topic(store.topics.name(store.topic[row] as number))(s);
  }
  if (flags & F.Fail) return style.rawFail(s);
  if (flags & (F.TestBegin | F.TestEnd)) return style.testBand(s);
  return style.raw(s);
}

export interface RowOptions {
  readonly selected?: boolean;
  /** Highlights matches of the search in the text. */
  readonly search?: RegExp | null;
  /** Draw this in place of the row's text as it would be shown (the first piece of a wrapped row). */
  readonly text?: string;
}

/** Formats one row to exactly `layout.width` cells (plus ANSI codes when colour is on). */
export function formatRow(store: LogStore, row: number, layout: Layout, style: Style, opts: RowOptions = {}): string {
  const selected = opts.selected === true;
  const flags = store.flags[row] as number;
  const src = store.src[row] as number;
  if (flags & F.Full || src === NO_PEER) {
    const kind = store.kind[row] as Kind;
    if (kind === Kind.Raw) {
      // Raw output keeps its own layout: no gutter, the whole width.
      const mark = selected ? style.cursor(">") : " ";
      return mark + paintFull(store, row, style, highlight(padWidth(opts.text ?? store.textAt(row), layout.width - 1), opts.search ?? null, style));
    }
    const g = gutter(store, row, style, selected, layout.topicWidth);
    return g + paintFull(store, row, style, highlight(padWidth(opts.text ?? fullText(store, row), layout.width - layout.gutter), opts.search ?? null, style));
  }
  const g = gutter(store, row, style, selected, layout.topicWidth);
  const col = layout.colOf.get(src);
  const topicName = store.topics.name(store.topic[row] as number);
  const paint = style.topic(topicName);
  if (col === undefined) {
    // The emitting peer's column is scrolled off: say so rather than show an empty row. With no columns
    // at all (the columns follow a test without dslogs lines, e.g. go test -v output), show the line.
    if (layout.cols.length === 0)
      return g + paint(highlight(padWidth(opts.text ?? noColumnText(store, row), layout.width - layout.gutter), opts.search ?? null, style));
    return g + style.dim(padWidth(opts.text ?? `(S${src}) ${store.textAt(row)}`, layout.width - layout.gutter));
  }
  const cells = cellsOf(layout, style);
  const role = store.role[row] as RoleId;
  let marker = "";
  let rest = layout.colWidth - 1;
  if (role === RoleId.Leader || role === RoleId.Candidate) {
    marker = (role === RoleId.Leader ? cells.leader : cells.candidate) + " ";
    rest -= 2;
  }
  const text = padWidth(opts.text ?? columnText(store.textAt(row), src), Math.max(rest, 0));
  return g + (cells.before[col] as string) + cells.sep + marker + paint(highlight(text, opts.search ?? null, style)) + (cells.after[col] as string);
}

/** The parts of a peer row that depend only on the layout and the style: the empty cells before and
 * after each column (with the padding to the full width), the separator, the role markers. */
interface Cells {
  readonly layout: Layout;
  readonly style: Style;
  readonly sep: string;
  readonly leader: string;
  readonly candidate: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Built once per layout and style (every row of a screen or a printed test shares them). */
let lastCells: Cells | null = null;

function cellsOf(layout: Layout, style: Style): Cells {
  if (lastCells !== null && lastCells.layout === layout && lastCells.style === style) return lastCells;
  const sep = style.dim("│");
  const blank = sep + " ".repeat(layout.colWidth - 1);
  const n = layout.cols.length;
  const used = layout.gutter + n * layout.colWidth;
  const pad = used < layout.width ? " ".repeat(layout.width - used) : "";
  const before: string[] = [];
  const after: string[] = [];
  for (let i = 0; i < n; i++) {
    before.push(blank.repeat(i));
    after.push(blank.repeat(n - i - 1) + pad);
  }
  lastCells = { layout, style, sep, leader: style.leader("L"), candidate: style.candidate("C"), before, after };
  return lastCells;
}

/**
 * One row as one or more lines of exactly `layout.width` cells: with `wrap`, text that does not fit
 * its cell continues on the following lines, in the same column (dslogs-style), so nothing is cut.
 * Without it, the same single line as formatRow.
 */
export function formatRowLines(store: LogStore, row: number, layout: Layout, style: Style, wrap: boolean): string[] {
  if (!wrap) return [formatRow(store, row, layout, style)];
  const flags = store.flags[row] as number;
  const src = store.src[row] as number;
  const kind = store.kind[row] as Kind;
  const full = (flags & F.Full) !== 0 || src === NO_PEER;
  const col = full ? undefined : layout.colOf.get(src);
  // The text as drawn, the cell width it gets, and where the cell starts on a continuation line.
  let text: string;
  let cell: number;
  let indent: string;
  let paint: (s: string) => string;
  if (full && kind === Kind.Raw) {
    text = store.textAt(row);
    cell = layout.width - 1;
    indent = " ";
    paint = (s) => paintFull(store, row, style, s);
  } else if (full || col === undefined) {
    const none = layout.cols.length === 0;
    text = full ? fullText(store, row) : none ? noColumnText(store, row) : `(S${src}) ${store.textAt(row)}`;
    cell = layout.width - layout.gutter;
    indent = " ".repeat(layout.gutter);
    paint = full ? (s) => paintFull(store, row, style, s) : none ? style.topic(store.topics.name(store.topic[row] as number)) : style.dim;
  } else {
    const role = store.role[row] as RoleId;
    const marker = role === RoleId.Leader || role === RoleId.Candidate ? 2 : 0;
    text = columnText(store.textAt(row), src);
    cell = Math.max(1, layout.colWidth - 1 - marker);
    // The common case, a cell that fits: one line, and none of the continuation's parts are needed.
    if (isPlainAscii(text) ? text.length <= cell : displayWidth(text) <= cell) return [formatRow(store, row, layout, style)];
    const sep = style.dim("│");
    const blank = sep + " ".repeat(layout.colWidth - 1);
    indent = " ".repeat(layout.gutter);
    for (let i = 0; i < (col ?? 0); i++) indent += blank;
    indent += sep + " ".repeat(marker);
    const after = layout.cols.length - (col ?? 0) - 1;
    const used = layout.gutter + layout.cols.length * layout.colWidth;
    const tail = blank.repeat(Math.max(0, after)) + (used < layout.width ? " ".repeat(layout.width - used) : "");
    const topicPaint = style.topic(store.topics.name(store.topic[row] as number));
    paint = (s) => topicPaint(s) + tail;
  }
  if (isPlainAscii(text) ? text.length <= cell : displayWidth(text) <= cell) return [formatRow(store, row, layout, style)];
  const pieces = wrapWidth(text, cell);
  const out = [formatRow(store, row, layout, style, { text: pieces[0] as string })];
  for (let i = 1; i < pieces.length; i++) out.push(indent + paint(padWidth(pieces[i] as string, cell)));
  return out;
}

/**
 * The one-column layout (--layout list): time, term, topic, peer, then the whole message on one line,
 * never cut; raw lines are printed as they came. For files that are searched with grep.
 */
export function formatListLine(store: LogStore, row: number, topicWidth: number, style: Style): string {
  const kind = store.kind[row] as Kind;
  const flags = store.flags[row] as number;
  const src = store.src[row] as number;
  if (kind === Kind.Raw) return paintFull(store, row, style, store.textAt(row));
  const term = store.term[row] as number;
  const topicName = store.topics.name(store.topic[row] as number);
  const time = formatTime(store.t[row] as number).padStart(TIME_W);
  const termS = (term >= 0 ? "T" + term : "").padEnd(TERM_W);
  const topicS = topicName + (topicName.length < topicWidth ? " ".repeat(topicWidth - topicName.length) : "");
  const peer = src >= 0 ? `S${src}` : "--";
  const role = store.role[row] as RoleId;
  const mark = role === RoleId.Leader ? "L" : role === RoleId.Candidate ? "C" : " ";
  const rowMark = markOf(flags);
  const head =
    style.dim(time) + (rowMark !== null ? style.error(rowMark) : " ") + style.dim(`${termS} `) + (topicName ? style.topic(topicName)(topicS) : topicS) + " ";
  if (flags & F.Full || src < 0) return head + paintFull(store, row, style, `${peer.padEnd(5)}  ${fullText(store, row)}`);
  return head + style.topic(topicName)(`${peer.padEnd(5)}${mark} ${columnText(store.textAt(row), src)}`);
}

/** A peer's row drawn where there are no peer columns: the line as written after its topic. */
function noColumnText(store: LogStore, row: number): string {
  const src = store.src[row] as number;
  const text = store.textAt(row);
  return src >= 0 ? `S${src} ${text}` : text;
}

/** In a peer's own column a leading "S<peer> " in its message says nothing new: drop it. */
export function columnText(text: string, src: number): string {
  const prefix = `S${src} `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

function highlight(text: string, re: RegExp | null, style: Style): string {
  if (!re || !style.color) return text;
  re.lastIndex = 0;
  return text.replace(re, (m) => (m === "" ? m : style.match(m)));
}

/** Column headers: each peer with its role and term at the cursor. `test` names the test whose peers
 * the columns follow (the one at the cursor), shown where there is room. */
export function formatColumnHeader(layout: Layout, states: Map<number, PeerState>, style: Style, test?: string): string {
  let out = style.dim(gutterLabel(layout.topicWidth));
  for (const p of layout.cols) {
    const st = states.get(p);
    const cw = layout.colWidth - 1;
    let label = `S${p}`;
    let paint = style.header;
    if (st) {
      if (st.crashed) label += " crashed";
      else {
        label += ` ${st.role === RoleId.None ? "?" : ROLE_SHORT[st.role]}${st.term >= 0 ? " T" + st.term : ""}`;
        if (st.disconnected) label += " cut";
      }
      if (!st.crashed && st.role === RoleId.Leader) paint = style.leader;
      else if (!st.crashed && st.role === RoleId.Candidate) paint = style.candidate;
      else if (st.crashed) paint = style.error;
    }
    out += style.dim("│") + paint(fitWidth(label, cw)) + " ".repeat(Math.max(0, cw - displayWidth(fitWidth(label, cw))));
  }
  const used = layout.gutter + layout.cols.length * layout.colWidth;
  let tail = "";
  if (layout.offLeft > 0 || layout.offRight > 0)
    tail = ` ${layout.offLeft > 0 ? "◀" + layout.offLeft : ""}${layout.offRight > 0 ? " " + layout.offRight + "▶" : ""}`;
  if (test !== undefined) {
    const name = test === "" ? "the lines before any test" : test;
    tail += layout.cols.length === 0 ? ` no peer columns: ${name} has no peer lines (other tests' lines are shown whole)` : ` columns of ${name}`;
  }
  if (used < layout.width) out += style.dim(padWidth(tail, layout.width - used));
  return out;
}

const ROLE_SHORT = ["?", "follower", "candidate", "LEADER"] as const;

export interface PeerState {
  role: RoleId;
  term: number;
  crashed: boolean;
  disconnected: boolean;
}

/** How far back the header looks for a peer's last event (bounded work per frame). */
const STATE_SCAN_LIMIT = 200_000;

/** Each peer's role and term as of `row`, looking back within the row's test. */
export function peerStatesAt(store: LogStore, row: number, peers: readonly number[]): Map<number, PeerState> {
  const out = new Map<number, PeerState>();
  const want = new Set(peers);
  const seenLife = new Set<number>();
  const seenLink = new Set<number>();
  const crashOp = store.ops.lookup("Crash");
  const restartOp = store.ops.lookup("Restart");
  const discOp = store.ops.lookup("Disconnect");
  const connOp = store.ops.lookup("Connect");
  const get = (p: number): PeerState => {
    let s = out.get(p);
    if (!s) {
      s = { role: RoleId.None, term: -1, crashed: false, disconnected: false };
      out.set(p, s);
    }
    return s;
  };
  const found = new Set<number>();
  const stop = Math.max(0, row - STATE_SCAN_LIMIT);
  for (let i = Math.min(row, store.length - 1); i >= stop && found.size < want.size; i--) {
    const src = store.src[i] as number;
    if (src >= 0 && want.has(src) && !found.has(src)) {
      const s = get(src);
      s.role = store.role[i] as RoleId;
      s.term = store.term[i] as number;
      found.add(src);
    } else if (src === -1 && store.kind[i] === Kind.Json) {
      const p = store.dst[i] as number;
      const op = store.op[i] as number;
      if (p >= 0 && want.has(p) && !found.has(p)) {
        if ((op === crashOp || op === restartOp) && !seenLife.has(p)) {
          seenLife.add(p);
          get(p).crashed = op === crashOp;
        } else if ((op === discOp || op === connOp) && !seenLink.has(p)) {
          seenLink.add(p);
          get(p).disconnected = op === discOp;
        }
      }
    }
    if ((store.flags[i] as number) & F.TestBegin) break;
  }
  return out;
}
