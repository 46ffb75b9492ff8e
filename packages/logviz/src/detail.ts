// The detail pane: every field of the selected row, and for a message, the other events with the same
// id (send, receipt, reply, loss) with the delay between them.
import { Kind, LogStore, ROLE_NAMES } from "./store.js";
import { escapeControls } from "./sanitize.js";
import { formatTime } from "./layout.js";

/** How far the pairing looks either side of the selected row. */
const PAIR_WINDOW = 50_000;
/** At most this many related events are listed. */
const PAIR_MAX = 8;

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

function wrap(s: string, width: number, maxLines: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length && out.length < maxLines; i += width) out.push(s.slice(i, i + width));
  return out;
}

export function detailLines(store: LogStore, row: number, width: number): string[] {
  const w = Math.max(20, width - 2);
  const kind = store.kind[row] as Kind;
  const head = `row ${row + 1}`;
  if (kind === Kind.Raw) return [head + "  (raw text)", ...wrap(store.text[row] ?? "", w, 40)];
  if (kind === Kind.Dslog) {
    const pairs = [
      `t=${formatTime(store.t[row] as number)}ms`,
      `topic=${store.topics.name(store.topic[row] as number)}`,
      `src=${store.src[row] as number >= 0 ? "S" + (store.src[row] as number) : "TEST"}`,
    ];
    const term = store.term[row] as number;
    if (term >= 0) pairs.push(`term=${term}`);
    const role = store.role[row] as number;
    if (role > 0) pairs.push(`role=${ROLE_NAMES[role] ?? "?"} (inferred)`);
    const dst = store.dst[row] as number;
    if (dst >= 0) pairs.push(`peer=S${dst}`);
    return [head + "  (dslogs line)", ...pack(pairs, w), ...wrap(store.text[row] ?? "", w, 20)];
  }
  const o = parseJson(store.json[row] ?? "");
  if (!o) return [head, "(unreadable)"];
  const pairs = Object.entries(o)
    .filter(([k]) => k !== "msg")
    .map(([k, v]) => `${escapeControls(k)}=${show(v)}`);
  // The message exchange first: it is what the pane is most often opened for.
  const lines = [head + "  (trace event)", ...wrap("msg: " + show(o.msg ?? ""), w, 4)];
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
}

const pairKey = (o: Record<string, unknown>): string => {
  const a = typeof o.from === "number" ? o.from : -1;
  const b = typeof o.dst === "number" ? o.dst : -1;
  return a < b ? `${a},${b}` : `${b},${a}`;
};

/** The message exchange a row belongs to, or null if the row is not a message with an id. */
export function exchangeOf(store: LogStore, row: number): Exchange | null {
  if (store.kind[row] !== Kind.Json) return null;
  const self = parseJson(store.json[row] ?? "");
  if (!self || typeof self.id !== "string") return null;
  const needle = `"id":${JSON.stringify(self.id)}`;
  const related: number[] = [];
  const lo = Math.max(0, row - PAIR_WINDOW);
  const hi = Math.min(store.length - 1, row + PAIR_WINDOW);
  for (let i = lo; i <= hi && related.length < PAIR_MAX * 2; i++) {
    if (store.kind[i] !== Kind.Json) continue;
    if ((store.json[i] ?? "").includes(needle)) related.push(i);
  }
  // An id names one exchange between two peers within one test; an event with the same id between
  // other peers or in another test is a different message (an implementation that reuses ids).
  const key = pairKey(self);
  const test = store.test[row];
  const fields = new Map<number, Record<string, unknown>>();
  const rows = related.filter((i) => {
    const o = parseJson(store.json[i] ?? "") ?? {};
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
  const out = [`message ${escapeControls(id)}: ${same.length} event${same.length === 1 ? "" : "s"}${others > 0 ? ` (${others} more with the same id between other peers or in another test: id reused)` : ""}`];
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
