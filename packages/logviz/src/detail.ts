// The detail pane: every field of the selected row, and for a message, the other events with the same
// id (send, receipt, reply, loss) with the delay between them.
import { F, Kind, LogStore, ROLE_NAMES } from "./store.js";
import { escapeControls } from "./sanitize.js";
import { wrapWidth } from "@raftlab/raft/terminal";
import { formatTime } from "./layout.js";

/** How far the pairing looks either side of the selected row. */
const PAIR_WINDOW = 50_000;
/** At most this many related events are listed. */
const PAIR_MAX = 8;

/** A row's time in full (the 8-cell gutter rounds late times to seconds): `121543.2ms`. */
function exactTime(t: number): string {
  return Number.isFinite(t) ? `${Number(t.toFixed(3))}ms` : "?";
}

function show(v: unknown): string {
  if (typeof v === "string") return escapeControls(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return escapeControls(JSON.stringify(v) ?? "null");
}

function parseJson(s: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Lines of "key=value" pairs packed into `width`. */
function pack(pairs: string[], width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const p of pairs) {
    if (cur !== "" && cur.length + 2 + p.length > width) {
      lines.push(cur);
      cur = "";
    }
    cur = cur === "" ? p : cur + "  " + p;
  }
  if (cur !== "") lines.push(cur);
  return lines;
}

/** Text broken into lines of `width` cells, all of it: the pane scrolls (J/K), so a 25,000-character
 * line is read whole. Lines are at most MAX_LINE_CHARS long, which bounds the count. */
function wrap(s: string, width: number): string[] {
  return s === "" ? [] : wrapWidth(s, width);
}

export function detailLines(store: LogStore, row: number, width: number): string[] {
  const w = Math.max(20, width - 2);
  const kind = store.kind[row] as Kind;
  const head = `row ${row + 1}`;
  if (kind === Kind.Raw) return [head + "  (raw text)", ...wrap(store.textAt(row), w)];
  if (kind === Kind.Dslog) {
    const pairs = [
      `t=${exactTime(store.t[row] as number)}`,
      `topic=${store.topics.name(store.topic[row] as number)}`,
      `src=${(store.src[row] as number) >= 0 ? "S" + (store.src[row] as number) : "TEST"}`,
    ];
    const term = store.term[row] as number;
    if (term >= 0) pairs.push(`term=${term}`);
    const role = store.role[row] as number;
    if (role > 0) pairs.push(`role=${ROLE_NAMES[role] ?? "?"} (inferred)`);
    const dst = store.dst[row] as number;
    if (dst >= 0) pairs.push(`peer=S${dst}`);
    const src = store.src[row] as number;
    const inst = store.inst[row] as number;
    const instances = src >= 0 ? (store.multipleInstances(store.test[row] as number).find(([p]) => p === src)?.[1] ?? 1) : 1;
    if (instances > 1) pairs.push(`instance=${inst} of ${instances}`);
    const stale = ((store.flags[row] as number) & F.Stale) !== 0;
    const staleLine = stale
      ? wrap(
          `stale: from an instance of S${src} other than the one the tester runs now (its explicit terms went down): a killed Raft still running? check rf.killed()`,
          w,
        )
      : [];
    return [head + "  (dslogs line)", ...staleLine, ...pack(pairs, w), ...wrap(store.textAt(row), w), ...dslogPairLines(store, row, w)];
  }
  const o = parseJson(store.jsonAt(row));
  if (!o) return [head, "(unreadable)"];
  const pairs = Object.entries(o)
    .filter(([k]) => k !== "msg")
    .map(([k, v]) => `${escapeControls(k)}=${show(v)}`);
  // The message exchange first: it is what the pane is most often opened for.
  const lines = [head + "  (trace event)", ...wrap("msg: " + show(o.msg ?? ""), w)];
  const scheduled = ((store.flags[row] as number) & F.Scheduled) !== 0 ? store.scheduleNote?.(row) : null;
  if (scheduled) lines.push(...wrap(`schedule: ${escapeControls(scheduled)}: a fault the schedule injects (in a shrunk schedule, one the failure needs)`, w));
  if (typeof o.id === "string") lines.push(...pairLines(store, row, o.id, w));
  lines.push(...pack(pairs, w));
  return lines;
}

export interface Exchange {
  /** Rows of the same exchange (same id, same two peers, same test), in order, this row included. */
  readonly rows: number[];
  /** Rows with the same id that belong to another exchange (an id reused across tests or peers). */
  readonly others: number;
  readonly fields: Map<number, Record<string, unknown>>;
  /** Why the exchange is incomplete or could not be found (dslogs text has no message ids). */
  readonly why?: string;
}

const pairKey = (o: Record<string, unknown>): string => {
  const a = typeof o.from === "number" ? o.from : -1;
  const b = typeof o.dst === "number" ? o.dst : -1;
  return a < b ? `${a},${b}` : `${b},${a}`;
};

/** The message exchange a row belongs to, or null if the row is not a message with an id. */
export function exchangeOf(store: LogStore, row: number): Exchange | null {
  if (store.kind[row] === Kind.Dslog) return dslogExchange(store, row);
  if (store.kind[row] !== Kind.Json) return null;
  const self = parseJson(store.jsonAt(row));
  if (!self || typeof self.id !== "string") return null;
  const needle = `"id":${JSON.stringify(self.id)}`;
  const related: number[] = [];
  const lo = Math.max(0, row - PAIR_WINDOW);
  const hi = Math.min(store.length - 1, row + PAIR_WINDOW);
  for (let i = lo; i <= hi && related.length < PAIR_MAX * 2; i++) {
    if (store.kind[i] !== Kind.Json) continue;
    if (store.jsonAt(i).includes(needle)) related.push(i);
  }
  // An id names one exchange between two peers within one test; an event with the same id between
  // other peers or in another test is a different message (an implementation that reuses ids).
  const key = pairKey(self);
  const test = store.test[row];
  const fields = new Map<number, Record<string, unknown>>();
  const rows = related.filter((i) => {
    const o = parseJson(store.jsonAt(i)) ?? {};
    fields.set(i, o);
    return store.test[i] === test && pairKey(o) === key;
  });
  return { rows, others: related.length - rows.length, fields };
}

/** The other events of the same message exchange, in order, with their delay from this one. */
export function pairLines(store: LogStore, row: number, id: string, width: number): string[] {
  const ex = exchangeOf(store, row);
  if (!ex) return [];
  const { rows: same, others, fields: parsed } = ex;
  const t0 = store.t[row] as number;
  const out = [
    `message ${escapeControls(id)}: ${same.length} event${same.length === 1 ? "" : "s"}${others > 0 ? ` (${others} more with the same id between other peers or in another test: id reused)` : ""}`,
  ];
  for (const i of same.slice(0, PAIR_MAX)) {
    const o = parsed.get(i) ?? {};
    const src = store.src[i] as number;
    const who = src >= 0 ? `S${src}` : "harness";
    const op = store.ops.name(store.op[i] as number);
    const dir = typeof o.dir === "string" ? o.dir : op === "MsgLost" ? "LOST" : "";
    const route = typeof o.from === "number" && typeof o.dst === "number" ? `S${o.from}->S${o.dst}` : "";
    const dt = (store.t[i] as number) - t0;
    const delay = i === row ? "(this)" : `${dt >= 0 ? "+" : ""}${dt.toFixed(1)}ms`;
    const line = `${i === row ? ">" : " "} ${formatTime(store.t[i] as number).padStart(8)} ${who.padEnd(7)} ${op} ${dir} ${route} ${delay}`;
    out.push(line.slice(0, width));
  }
  if (!same.some((i) => store.ops.name(store.op[i] as number).endsWith("Reply"))) {
    const lost = same.some((i) => store.ops.name(store.op[i] as number) === "MsgLost");
    out.push(lost ? "  (lost: no reply)" : "  (no reply seen)");
  }
  out.push("  (m: go to the next event of this message)");
  return out;
}

// ---- dslogs text: pairing by order -----------------------------------------------------------------
// A text log has no message ids. A request is a `S<a> -> S<b>` line; the lines after it between the same
// two peers with the same topic (b's receipt, b's `S<b> -> S<a>` reply, a's `S<a> <- S<b>` receipt of
// it), up to a's next request to b, are its exchange. Replies are recognised by their words.

const REPLY_WORDS = /\b(?:repl\w*|resp\w*|grant\w*|reject\w*|denied|deny|ack\w*|ok|success\w*|fail\w*|got vote|vote (?:yes|no))\b/i;

function isRequest(store: LogStore, i: number, a: number, b: number, topic: number): boolean {
  return (
    store.kind[i] === Kind.Dslog &&
    store.src[i] === a &&
    store.dst[i] === b &&
    ((store.flags[i] as number) & F.Send) !== 0 &&
    store.topic[i] === topic &&
    !REPLY_WORDS.test(store.textAt(i))
  );
}

/** The request line of (a asks b) at or before `row` in its test, or -1. */
function findRequest(store: LogStore, row: number, a: number, b: number, topic: number): number {
  const test = store.test[row];
  for (let i = row; i >= Math.max(0, row - PAIR_WINDOW); i--) {
    if (store.test[i] !== test) break;
    if (isRequest(store, i, a, b, topic)) return i;
  }
  return -1;
}

function dslogExchange(store: LogStore, row: number): Exchange {
  const fields = new Map<number, Record<string, unknown>>();
  const flags = store.flags[row] as number;
  const src = store.src[row] as number;
  const other = store.dst[row] as number;
  const topic = store.topic[row] as number;
  const topicName = store.topics.name(topic);
  if (src < 0 || other < 0 || (flags & (F.Send | F.Recv)) === 0) {
    return { rows: [row], others: 0, fields, why: "not a message line: its text has no S<a> -> S<b> or S<a> <- S<b>" };
  }
  // Which side asked? A send without reply words is a request; otherwise try both directions.
  const reply = REPLY_WORDS.test(store.textAt(row));
  const tries: [number, number][] =
    flags & F.Send
      ? reply
        ? [
            [other, src],
            [src, other],
          ]
        : [[src, other]]
      : reply
        ? [
            [src, other],
            [other, src],
          ]
        : [
            [other, src],
            [src, other],
          ];
  let req = -1;
  let a = -1;
  let b = -1;
  for (const [x, y] of tries) {
    req = findRequest(store, row, x, y, topic);
    if (req >= 0) {
      a = x;
      b = y;
      break;
    }
  }
  if (req < 0) {
    const [x, y] = tries[0] as [number, number];
    return { rows: [row], others: 0, fields, why: `no earlier S${x} -> S${y} ${topicName} request in this test to pair it with` };
  }
  const rows = [req];
  let replied = false;
  const test = store.test[req];
  for (let i = req + 1; i < Math.min(store.length, req + PAIR_WINDOW) && rows.length < PAIR_MAX; i++) {
    if (store.test[i] !== test) break;
    if (store.kind[i] !== Kind.Dslog || store.topic[i] !== topic) continue;
    if (isRequest(store, i, a, b, topic)) break; // a's next request to b: a new exchange
    const s = store.src[i] as number;
    const d = store.dst[i] as number;
    const f = store.flags[i] as number;
    if (s === b && d === a && f & (F.Send | F.Recv)) {
      rows.push(i);
      if (f & F.Send) replied = true;
    } else if (s === a && d === b && f & F.Recv) {
      rows.push(i);
      replied = true;
    }
  }
  if (!rows.includes(row)) rows.push(row);
  rows.sort((x, y) => x - y);
  const why = replied
    ? undefined
    : `no reply line: nothing from S${b} back to S${a} with topic ${topicName} before S${a}'s next request to S${b} (this log may not print replies)`;
  return { rows, others: 0, fields, why };
}

/** The detail pane's lines about a dslogs message line's exchange. */
function dslogPairLines(store: LogStore, row: number, width: number): string[] {
  const ex = dslogExchange(store, row);
  if (ex.rows.length < 2 && ex.why?.startsWith("not a message")) return [];
  const t0 = store.t[row] as number;
  const out = [`exchange paired by order (dslogs text has no message ids): ${ex.rows.length} line${ex.rows.length === 1 ? "" : "s"}`];
  for (const i of ex.rows) {
    const dt = (store.t[i] as number) - t0;
    const delay = i === row ? "(this)" : `${dt >= 0 ? "+" : ""}${dt.toFixed(1)}ms`;
    out.push(
      `${i === row ? ">" : " "} ${formatTime(store.t[i] as number).padStart(8)} S${store.src[i] as number} ${store.textAt(i)}`.slice(
        0,
        Math.max(10, width - 12),
      ) + ` ${delay}`,
    );
  }
  if (ex.why) out.push(`  (${ex.why})`);
  if (ex.rows.length > 1) out.push("  (m: go to the next line of this exchange)");
  return out;
}

/** The status line's warning for a test in which some peer has more than one instance logging
 * (a killed Raft still running), e.g. "S4: 2 instances logging; a killed Raft still running? check
 * rf.killed()"; "" when there is none. */
export function staleSummary(store: LogStore, test: number): string {
  const many = store.multipleInstances(test);
  if (many.length === 0) return "";
  const who = many.map(([p, n]) => `S${p}: ${n} instances`).join(", ");
  return `${who} logging; a killed Raft still running? check rf.killed()`;
}
