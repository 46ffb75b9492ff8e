// The space-time view (`v`): peers as vertical lanes, time flowing down, one visible row per line, each
// message a box-drawn arrow from its send row to its receipt row. An arrow leaves the sender's lane on
// the send row, runs down a track beside the receiver's lane, and enters it on the receipt row (▶ or ◀);
// a lost message ends in ✕ on its loss row, an unreceived one in …. Replies are dashed (╌ ╎); the
// selected message's exchange (request and reply) is highlighted. A lane is ┃ while its peer leads and
// ┆ while it is a candidate; a role change shows the role's letter on the lane, a term change ╪ and T<n>.
// The row's text is at the right. Cursor, filters, search and jumps are the viewer's own.
import { Chalk } from "chalk";
import { peerShown } from "../filter.js";
import { formatTime, fullText } from "../layout.js";
import { detailLines } from "../detail.js";
import { F, Kind, NO_PEER, RoleId } from "../store.js";
import { padWidth } from "../sanitize.js";
import type { Paint } from "../style.js";
import type { ScreenState } from "../screen.js";
import { statusLine } from "../screen.js";
import { Mark, MessageIndex, MsgStatus } from "./messages.js";
import { MessageOrder, placeMessages, type PlacedMessage } from "./window.js";

const U = 1;
const D = 2;
const L = 4;
const R = 8;
/** Box-drawing character for a set of directions (solid). */
const BOX: readonly string[] = (() => {
  const b: string[] = new Array<string>(16).fill(" ");
  b[U | D] = "│";
  b[L | R] = "─";
  b[D | R] = "┌";
  b[D | L] = "┐";
  b[U | R] = "└";
  b[U | L] = "┘";
  b[U | D | R] = "├";
  b[U | D | L] = "┤";
  b[L | R | D] = "┬";
  b[L | R | U] = "┴";
  b[U | D | L | R] = "┼";
  b[U] = "╵";
  b[D] = "╷";
  b[L] = "╴";
  b[R] = "╶";
  return b;
})();

/** Gutter: cursor mark, time (8), space, term (4), space. */
const GUTTER = 15;
/** Lane spacing bounds, and the least room kept for the row's text. */
const LANE_MIN = 4;
const LANE_MAX = 14;
const TEXT_MIN = 30;

/** Per-viewer state of the space-time view: the message index (kept up to date with the store). */
export class SpaceTimeView {
  readonly index: MessageIndex;
  readonly order = new MessageOrder();
  constructor(v: ScreenState) {
    this.index = new MessageIndex(v.store);
  }
}

enum Ink {
  None = 0,
  Lane,
  LeaderLane,
  Request,
  Reply,
  Hot,
  Lost,
  Marker,
  Fail,
}

function paints(color: boolean): Record<Ink, Paint> {
  const c = new Chalk({ level: color ? 2 : 0 });
  return {
    [Ink.None]: (s) => s,
    [Ink.Lane]: c.dim,
    [Ink.LeaderLane]: c.yellowBright,
    [Ink.Request]: c.cyan,
    [Ink.Reply]: c.blue,
    [Ink.Hot]: c.bold.yellowBright,
    [Ink.Lost]: c.redBright,
    [Ink.Marker]: c.bold,
    [Ink.Fail]: c.bold.whiteBright.bgRed,
  };
}

interface Geometry {
  readonly lanes: readonly number[];
  readonly laneX: Map<number, number>;
  readonly diagram: number;
  readonly spacing: number;
  readonly hidden: number;
}

function geometry(v: ScreenState, width: number): Geometry {
  const sel = v.selectedRow();
  const test = sel !== undefined ? (v.store.test[sel] as number) : v.store.currentTest;
  const all = v.store.peersOfTest(test).filter((p) => peerShown(v.filter, p));
  const room = Math.max(LANE_MIN, width - GUTTER - TEXT_MIN);
  const fit = Math.max(1, Math.floor(room / LANE_MIN));
  const lanes = all.slice(0, fit);
  const spacing = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor(room / Math.max(1, lanes.length))));
  const laneX = new Map<number, number>();
  lanes.forEach((p, i) => laneX.set(p, Math.floor(spacing / 2) + i * spacing));
  return { lanes, laneX, diagram: lanes.length * spacing, spacing, hidden: all.length - lanes.length };
}

/** One body line's cells. */
class Line {
  bits: Uint8Array;
  dash: Uint8Array;
  chars: (string | null)[];
  ink: Uint8Array;
  constructor(n: number) {
    this.bits = new Uint8Array(n);
    this.dash = new Uint8Array(n);
    this.chars = new Array<string | null>(n).fill(null);
    this.ink = new Uint8Array(n);
  }
  seg(x: number, bits: number, ink: Ink, dashed: boolean): void {
    if (x < 0 || x >= this.bits.length) return;
    this.bits[x] = (this.bits[x] as number) | bits;
    if (dashed) this.dash[x] = 1;
    if ((this.ink[x] as number) !== Ink.Hot) this.ink[x] = ink;
  }
  put(x: number, ch: string, ink: Ink): void {
    if (x < 0 || x >= this.chars.length) return;
    this.chars[x] = ch;
    this.ink[x] = ink;
  }
  free(x: number): boolean {
    return x >= 0 && x < this.chars.length && this.chars[x] === null && this.bits[x] === 0;
  }
}

/** Tracks in the gap beside each lane: for each column, the last visible position it is busy to. */
function allocateTracks(placed: readonly PlacedMessage[], g: Geometry): Map<number, number> {
  const busy = new Map<number, number>();
  const track = new Map<number, number>();
  for (const p of placed) {
    const xa = g.laneX.get(p.m.from);
    const xb = g.laneX.get(p.m.to);
    if (xa === undefined || xb === undefined || xa === xb) continue;
    const dir = xa < xb ? -1 : 1; // columns beside the receiver, on the sender's side, nearest first
    let chosen = xb + dir;
    for (let c = 1; c < g.spacing; c++) {
      const x = xb + dir * c;
      if ((busy.get(x) ?? -1) < p.sendPos) {
        chosen = x;
        break;
      }
    }
    busy.set(chosen, Math.max(busy.get(chosen) ?? -1, p.endPos));
    track.set(p.k, chosen);
  }
  return track;
}

function drawMessages(lines: Line[], top: number, placed: readonly PlacedMessage[], g: Geometry, hot: number, st: SpaceTimeView): void {
  const tracks = allocateTracks(placed, g);
  const at = (pos: number): Line | undefined => lines[pos - top];
  for (const p of placed) {
    const xa = g.laneX.get(p.m.from);
    const xb = g.laneX.get(p.m.to);
    const tx = tracks.get(p.k);
    if (xa === undefined || xb === undefined || tx === undefined) continue;
    const exchange = st.index.exchangeOf(p.k);
    const ink = exchange === hot ? Ink.Hot : p.status === MsgStatus.Lost ? Ink.Lost : p.m.reply ? Ink.Reply : Ink.Request;
    const dashed = p.m.reply;
    const step = xa < tx ? 1 : -1;
    const stub = p.endPos === p.sendPos;
    // The send row: from the sender's lane across to the track.
    const s = at(p.sendPos);
    if (s) {
      for (let x = xa + step; x !== tx; x += step) s.seg(x, L | R, ink, dashed);
      if (stub) {
        s.put(tx, p.status === MsgStatus.Lost ? "✕" : "…", p.status === MsgStatus.Lost ? Ink.Lost : ink);
      } else s.seg(tx, (step > 0 ? L : R) | D, ink, dashed);
    }
    if (stub) continue;
    for (let pos = Math.max(top, p.sendPos + 1); pos < p.endPos && pos - top < lines.length; pos++) at(pos)?.seg(tx, U | D, ink, dashed);
    const e = at(p.endPos);
    if (!e) continue;
    if (p.status !== MsgStatus.Delivered) {
      e.put(tx, "✕", Ink.Lost);
      continue;
    }
    const into = xb > tx ? 1 : -1;
    e.seg(tx, U | (into > 0 ? R : L), ink, dashed);
    for (let x = tx + into; x !== xb; x += into) e.seg(x, L | R, ink, dashed);
    e.put(xb, into > 0 ? "▶" : "◀", ink === Ink.Hot ? Ink.Hot : Ink.Marker);
  }
}

function roleLetter(role: number): string {
  return role === RoleId.Leader ? "L" : role === RoleId.Candidate ? "C" : role === RoleId.Follower ? "F" : "•";
}

/** Each lane's role at the store row before `row` (its peer's last row in the test), bounded look-back. */
function rolesBefore(v: ScreenState, row: number, lanes: readonly number[]): Map<number, number> {
  const s = v.store;
  const roles = new Map<number, number>();
  const want = new Set(lanes);
  for (let i = row - 1; i >= Math.max(0, row - 20_000) && want.size > 0; i--) {
    if ((s.flags[i] as number) & F.TestBegin) break;
    const src = s.src[i] as number;
    if (want.has(src) && (s.role[i] as number) !== RoleId.None) {
      roles.set(src, s.role[i] as number);
      want.delete(src);
    }
  }
  return roles;
}

function rowText(v: ScreenState, row: number, st: SpaceTimeView): string {
  const s = v.store;
  const src = s.src[row] as number;
  if (src < 0 || ((s.flags[row] as number) & F.Full) !== 0 || src === NO_PEER) return fullText(s, row);
  const text = s.textAt(row);
  const m = st.index.messageAt(row);
  const reply = m !== undefined && m.reply && m.send === row ? "↩ " : "";
  // Our events' text starts with the emitter (`S2 -> S0 RV …`); a dslogs line's does not.
  return `${reply}${/^S\d+ /.test(text) ? "" : `S${src} `}${text}`;
}

function highlight(s: string, re: RegExp | null, paint: Paint): string {
  if (!re) return s;
  re.lastIndex = 0;
  return s.replace(re, (x) => (x === "" ? x : paint(x)));
}

/** The space-time screen: exactly `height - 1` lines, like drawFrame. */
export function drawSpaceTime(v: ScreenState, st: SpaceTimeView): string[] {
  const H = Math.max(4, v.height - 1);
  const W = Math.max(40, v.width);
  const s = v.style;
  const ink = paints(s.color);
  st.index.update();
  const body = Math.max(1, H - 3 - v.detailHeight);
  const n = v.visible.length;
  if (v.cursor >= n) v.cursor = Math.max(0, n - 1);
  if (v.cursor < v.top) v.top = v.cursor;
  if (v.cursor >= v.top + body) v.top = v.cursor - body + 1;
  if (v.top > Math.max(0, n - body)) v.top = Math.max(0, n - body);
  const sel = v.selectedRow();
  const g = geometry(v, W);
  const lines = headerLines(v, g, sel, W);
  // Body.
  const top = v.top;
  const shown = Math.min(body, Math.max(0, n - top));
  const cells: Line[] = [];
  for (let i = 0; i < shown; i++) cells.push(new Line(g.diagram));
  const hotRow = sel !== undefined ? st.index.messageIndexAt(sel) : -1;
  const hot = hotRow >= 0 ? st.index.exchangeOf(hotRow) : -2;
  if (shown > 0) drawMessages(cells, top, placeMessages(st.index, st.order, v.visible, top, top + shown - 1), g, hot, st);
  drawLanes(cells, v, st, g, top, shown);
  for (let i = 0; i < body; i++) {
    const pos = top + i;
    if (pos >= n) {
      lines.push(padWidth(pos === 0 ? (v.store.length === 0 ? " (no lines yet)" : " (no lines match the filters)") : "~", W));
      continue;
    }
    lines.push(bodyLine(v, st, g, cells[i] as Line, pos, ink, W));
  }
  const sel2 = v.selectedRow();
  if (v.detail && sel2 !== undefined) {
    const dh = v.detailHeight;
    const d = v.detailView(detailLines(v.store, sel2, W), dh - 1);
    lines.push(s.dim("─".repeat(W)));
    for (let i = 0; i < dh - 1; i++) lines.push(padWidth(d.shown[i] ?? "", W));
  }
  lines.push(statusLine(v, W));
  return lines;
}

/** The title line (the test, hidden peers) and the lane names over the lanes. */
function headerLines(v: ScreenState, g: Geometry, sel: number | undefined, W: number): string[] {
  const s = v.style;
  const testName = sel !== undefined ? v.store.testName(sel) : "";
  const title = ` logviz  space-time  (v: back to columns)${testName ? "   test: " + testName : ""}${g.hidden > 0 ? `   +${g.hidden} peers not shown (p: peer filter)` : ""}`;
  const head = new Array<string>(g.diagram).fill(" ");
  for (const p of g.lanes) {
    const name = `S${p}`;
    const x = (g.laneX.get(p) as number) - (name.length > 2 ? 1 : 0);
    for (let i = 0; i < name.length && x + i < g.diagram; i++) head[x + i] = name[i] as string;
  }
  return [s.header(padWidth(title, W)), s.header(padWidth(" " + "ms".padStart(8) + " term " + head.join("") + " event", W))];
}

/** Lanes and markers, top to bottom, following each peer's role through the rows in between. */
function drawLanes(cells: Line[], v: ScreenState, st: SpaceTimeView, g: Geometry, top: number, shown: number): void {
  const store = v.store;
  const roles = shown > 0 ? rolesBefore(v, v.visible.at(top), g.lanes) : new Map<number, number>();
  let prevRow = shown > 0 ? v.visible.at(top) : 0;
  for (let i = 0; i < shown; i++) {
    const row = v.visible.at(top + i);
    // Rows filtered out between two shown rows still change roles (bounded walk).
    for (let r = Math.max(prevRow, row - 5000); r <= row; r++) {
      if ((store.flags[r] as number) & F.TestBegin) roles.clear();
      const src = store.src[r] as number;
      if (src >= 0 && (store.role[r] as number) !== RoleId.None) roles.set(src, store.role[r] as number);
    }
    prevRow = row + 1;
    const line = cells[i] as Line;
    for (const p of g.lanes) {
      const x = g.laneX.get(p) as number;
      const role = roles.get(p) ?? RoleId.None;
      if (line.chars[x] !== null) continue;
      if (line.bits[x]) {
        line.put(x, "┼", line.ink[x] as Ink);
        continue;
      }
      line.put(x, role === RoleId.Leader ? "┃" : role === RoleId.Candidate ? "┆" : "│", role === RoleId.Leader ? Ink.LeaderLane : Ink.Lane);
    }
    drawMarker(line, v, st, g, row);
  }
}

/** The row's own marker on its peer's lane (a harness diamond, a role letter, a send or receipt, a term change). */
function drawMarker(line: Line, v: ScreenState, st: SpaceTimeView, g: Geometry, row: number): void {
  const store = v.store;
  const src = store.src[row] as number;
  const flags = store.flags[row] as number;
  const mk = st.index.marks[row] ?? 0;
  const own = src >= 0 ? g.laneX.get(src) : store.kind[row] === Kind.Json ? g.laneX.get(store.dst[row] as number) : undefined;
  if (own === undefined) return;
  const m = st.index.messageAt(row);
  const isArrowHead = line.chars[own] === "▶" || line.chars[own] === "◀";
  if (src < 0) {
    if (store.ops.name(store.op[row] as number) !== "MsgLost") line.put(own, "◆", flags & F.Fail ? Ink.Fail : Ink.Marker);
  } else if (mk & Mark.RoleChange) line.put(own, roleLetter(store.role[row] as number), Ink.Marker);
  else if (isArrowHead) {
    // the receipt's arrowhead stays
  } else if (m !== undefined && m.send === row) line.put(own, "●", Ink.Marker);
  else if (m !== undefined) line.put(own, "○", Ink.Marker);
  else if (mk & Mark.TermChange) line.put(own, "╪", Ink.Marker);
  else line.put(own, (flags & (F.Send | F.Recv)) !== 0 ? "○" : "•", Ink.Lane);
  if (src >= 0 && mk & Mark.TermChange) {
    const label = `T${store.term[row] as number}`;
    let ok = true;
    for (let j = 1; j <= label.length; j++) if (!line.free(own + j)) ok = false;
    if (ok) for (let j = 0; j < label.length; j++) line.put(own + 1 + j, label[j] as string, Ink.Marker);
  }
}

/** One shown row: the gutter (time, term), its diagram cells, and its text painted by topic. */
function bodyLine(v: ScreenState, st: SpaceTimeView, g: Geometry, cells: Line, pos: number, ink: Record<Ink, Paint>, W: number): string {
  const s = v.style;
  const store = v.store;
  const row = v.visible.at(pos);
  const selected = pos === v.cursor;
  const term = store.term[row] as number;
  const gut = `${selected ? ">" : " "}${formatTime(store.t[row] as number).padStart(8)} ${(term >= 0 ? "T" + term : "").padEnd(4).slice(0, 4)} `;
  let out = selected ? s.cursor(gut) : s.dim(gut);
  out += renderCells(cells, ink);
  const textW = Math.max(1, W - GUTTER - g.diagram - 1);
  const flags = store.flags[row] as number;
  const topicName = store.topics.name(store.topic[row] as number);
  const paint: Paint =
    flags & F.Fail
      ? ink[Ink.Fail]
      : store.src[row] === -1
        ? s.harness(store.ops.name(store.op[row] as number), false)
        : topicName
          ? s.topic(topicName)
          : (x) => x;
  const text = padWidth(rowText(v, row, st), textW);
  out += " " + (selected ? s.cursor(text) : paint(highlight(text, v.search, s.match)));
  return out;
}

function renderCells(line: Line, ink: Record<Ink, Paint>): string {
  let out = "";
  let run = "";
  let runInk = -1;
  for (let x = 0; x < line.bits.length; x++) {
    let ch = line.chars[x];
    if (ch === null || ch === undefined) {
      const b = line.bits[x] as number;
      ch = BOX[b] ?? " ";
      if (line.dash[x]) ch = ch === "─" ? "╌" : ch === "│" ? "╎" : ch;
    }
    const k = ch === " " ? Ink.None : (line.ink[x] as number);
    if (k !== runInk) {
      if (run) out += ink[runInk as Ink](run);
      run = "";
      runInk = k;
    }
    run += ch;
  }
  if (run) out += ink[runInk as Ink](run);
  return out;
}
