// The messages of a log, for the space-time view and the HTML page: each send paired with its receipt
// (or its loss), each reply with its request, and the rows where a peer's term or role changed.
//
// The pairing is `m`'s (detail.ts exchangeOf): a JSON trace pairs by message id within one test and one
// pair of peers (our Raft's own events and the tester's rpc-trace rows for an uninstrumented Raft share
// that schema); a dslogs text log pairs by order, through exchangeOf itself, wherever it can. The JSON
// side is one incremental pass with maps (exchangeOf scans ±50,000 rows per call: fine for one row under
// the cursor, too slow for every message of a 100k-event trace); the rules are the same.
import { exchangeOf } from "../detail.js";
import { F, HARNESS_SRC, Kind, LogStore, RoleId } from "../store.js";

export enum MsgStatus {
  /** Received: the arrow goes from the send row to the receipt row. */
  Delivered = 0,
  /** The network dropped it (a MsgLost event): the arrow ends in a mark at the loss row. */
  Lost = 1,
  /** No receipt and no loss seen (the log ended, or the text log does not print receipts). */
  Unreceived = 2,
}

export interface Message {
  /** Store row of the send. */
  send: number;
  /** Store row of the receipt (Delivered) or of the loss event (Lost); -1 otherwise. */
  end: number;
  status: MsgStatus;
  readonly from: number;
  readonly to: number;
  /** A reply (…Reply op, or a dslogs line back from the asked peer in an exchange). */
  readonly reply: boolean;
  /** For a reply: the index (in MessageIndex.messages) of its request, or -1. */
  readonly request: number;
}

/** Row marks (bits) kept per row by the index. */
export const Mark = {
  /** The emitting peer's term differs from its previous row's. */
  TermChange: 1,
  /** The emitting peer's role differs from its previous row's (a known role). */
  RoleChange: 2,
} as const;

/** Bound on message ids waiting for a receipt (an implementation that never receives leaks none). */
const PENDING_MAX = 200_000;
/** dslogs sends re-examined when more lines arrive (a live stream), at most this many. */
const RETRY_MAX = 10_000;

function parseObj(s: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Incremental: `update()` examines the rows appended since the last call; a store that dropped rows
 * (a stream past --max-rows) is indexed afresh.
 */
export class MessageIndex {
  messages: Message[] = [];
  /** Message index by store row, for the send row, the receipt row and the loss row (-1: none). */
  private byRow = new Int32Array(0);
  /** Mark bits by store row. */
  marks = new Uint8Array(0);
  private scanned = 0;
  private dropped = 0;
  /** `${test}|${id}|${op}|${from}>${to}` of a send waiting for its receipt → message. */
  private pending = new Map<string, number>();
  /** `${test}|${id}` → messages of that exchange still in flight (for MsgLost). */
  private inFlight = new Map<string, number[]>();
  /** `${test}|${id}|${requestOp}` → the request message (for pairing a reply). */
  private requests = new Map<string, number>();
  private lastTerm = new Map<number, number>();
  private lastRole = new Map<number, number>();
  private retry: number[] = [];
  /** dslogs rows already placed in an exchange. */
  private dslogDone = new Set<number>();

  constructor(readonly store: LogStore) {}

  /** The message a row sends, receives or loses; undefined if none. */
  messageAt(row: number): Message | undefined {
    const k = row < this.byRow.length ? (this.byRow[row] as number) : -1;
    return k >= 0 ? this.messages[k] : undefined;
  }

  messageIndexAt(row: number): number {
    return row < this.byRow.length ? (this.byRow[row] as number) : -1;
  }

  /** The exchange a message belongs to: its request's index (itself for a request). */
  exchangeOf(k: number): number {
    const m = this.messages[k];
    return m !== undefined && m.request >= 0 ? m.request : k;
  }

  update(): this {
    const s = this.store;
    if (s.dropped !== this.dropped) this.reset();
    if (this.scanned >= s.length) return this;
    if (this.byRow.length < s.length) {
      const cap = Math.max(s.length, this.byRow.length * 2, 1024);
      const b = new Int32Array(cap).fill(-1);
      b.set(this.byRow);
      this.byRow = b;
      const m = new Uint8Array(cap);
      m.set(this.marks);
      this.marks = m;
    }
    const from = this.scanned;
    for (let i = from; i < s.length; i++) {
      this.noteChanges(i);
      const kind = s.kind[i] as Kind;
      if (kind === Kind.Json) this.json(i);
    }
    this.scanned = s.length;
    this.dslogs(from);
    return this;
  }

  private reset(): void {
    this.messages = [];
    this.byRow = new Int32Array(0);
    this.marks = new Uint8Array(0);
    this.scanned = 0;
    this.dropped = this.store.dropped;
    this.pending.clear();
    this.inFlight.clear();
    this.requests.clear();
    this.lastTerm.clear();
    this.lastRole.clear();
    this.retry = [];
    this.dslogDone.clear();
  }

  private noteChanges(i: number): void {
    const s = this.store;
    const src = s.src[i] as number;
    if (src < 0) {
      if (s.flags[i]! & F.TestBegin) {
        this.lastTerm.clear();
        this.lastRole.clear();
      }
      return;
    }
    const term = s.term[i] as number;
    const role = s.role[i] as number;
    let m = 0;
    const pt = this.lastTerm.get(src);
    if (term >= 0) {
      if (pt !== undefined && pt !== term) m |= Mark.TermChange;
      this.lastTerm.set(src, term);
    }
    const pr = this.lastRole.get(src);
    if (role !== RoleId.None) {
      if (pr !== undefined && pr !== role) m |= Mark.RoleChange;
      this.lastRole.set(src, role);
    }
    this.marks[i] = m;
  }

  private add(m: Message): number {
    const k = this.messages.length;
    this.messages.push(m);
    this.byRow[m.send] = k;
    return k;
  }

  private json(i: number): void {
    const s = this.store;
    const flags = s.flags[i] as number;
    const src = s.src[i] as number;
    const op = s.ops.name(s.op[i] as number);
    if (src === HARNESS_SRC) {
      if (op === "MsgLost") this.lost(i);
      return;
    }
    if ((flags & (F.Send | F.Recv)) === 0 || src < 0) return;
    const o = parseObj(s.jsonAt(i));
    if (!o || typeof o.id !== "string") return;
    const test = s.test[i] as number;
    const ex = `${test}|${o.id}`;
    if (flags & F.Send) {
      const to = s.dst[i] as number;
      if (to < 0) return;
      const reply = op.endsWith("Reply");
      const request = reply ? (this.requests.get(`${ex}|${op.slice(0, -5)}`) ?? -1) : -1;
      const k = this.add({ send: i, end: -1, status: MsgStatus.Unreceived, from: src, to, reply, request });
      if (!reply) this.requests.set(`${ex}|${op}`, k);
      if (this.pending.size >= PENDING_MAX) {
        this.pending.clear();
        this.inFlight.clear();
        this.requests.clear();
      }
      this.pending.set(`${ex}|${op}|${src}>${to}`, k);
      const list = this.inFlight.get(ex);
      if (list) list.push(k);
      else this.inFlight.set(ex, [k]);
      return;
    }
    const from = typeof o.from === "number" ? o.from : -1;
    const key = `${ex}|${op}|${from}>${src}`;
    const k = this.pending.get(key);
    if (k === undefined) return;
    this.pending.delete(key);
    this.settle(ex, k, i, MsgStatus.Delivered);
  }

  private settle(ex: string, k: number, row: number, status: MsgStatus): void {
    const m = this.messages[k] as Message;
    m.end = row;
    m.status = status;
    this.byRow[row] = k;
    const list = this.inFlight.get(ex);
    if (list) {
      const at = list.indexOf(k);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.inFlight.delete(ex);
    }
  }

  /** A MsgLost event: the request or the reply of its exchange that is still in flight. */
  private lost(i: number): void {
    const s = this.store;
    const o = parseObj(s.jsonAt(i));
    if (!o || typeof o.id !== "string") return;
    const ex = `${s.test[i] as number}|${o.id}`;
    const list = this.inFlight.get(ex);
    if (!list || list.length === 0) return;
    const wantReply = typeof o.reason === "string" && /reply/i.test(o.reason) && !/before replying/i.test(o.reason);
    const k = list.find((x) => (this.messages[x] as Message).reply === wantReply) ?? (list[list.length - 1] as number);
    for (const [key, v] of this.pending) {
      if (v === k) {
        this.pending.delete(key);
        break;
      }
    }
    this.settle(ex, k, i, MsgStatus.Lost);
  }

  /** dslogs sends from row `from` on (and earlier ones still unpaired), paired through `m`'s exchanges. */
  private dslogs(from: number): void {
    const s = this.store;
    const again = this.retry;
    this.retry = [];
    for (const i of again) this.dslogSend(i);
    for (let i = from; i < s.length; i++) {
      if (s.kind[i] !== Kind.Dslog || ((s.flags[i] as number) & F.Send) === 0 || (s.src[i] as number) < 0) continue;
      this.dslogSend(i);
    }
  }

  private dslogSend(i: number): void {
    const s = this.store;
    if (this.dslogDone.has(i)) return;
    const ex = exchangeOf(s, i);
    if (!ex || ex.rows.length < 2) {
      if (this.retry.length < RETRY_MAX) this.retry.push(i);
      return;
    }
    // In an exchange (request first), each send goes to the first later receipt of the other side.
    let request = -1;
    const rows = ex.rows;
    for (let a = 0; a < rows.length; a++) {
      const r = rows[a] as number;
      if (((s.flags[r] as number) & F.Send) === 0 || this.dslogDone.has(r)) continue;
      const src = s.src[r] as number;
      const to = s.dst[r] as number;
      let recv = -1;
      for (let b = a + 1; b < rows.length; b++) {
        const q = rows[b] as number;
        if (((s.flags[q] as number) & F.Recv) !== 0 && s.src[q] === to && s.dst[q] === src && this.byRow[q] === -1) {
          recv = q;
          break;
        }
      }
      const isReply = a > 0 && request >= 0;
      const k = this.add({ send: r, end: -1, status: MsgStatus.Unreceived, from: src, to, reply: isReply, request: isReply ? request : -1 });
      if (!isReply) request = k;
      if (recv >= 0) {
        const m = this.messages[k] as Message;
        m.end = recv;
        m.status = MsgStatus.Delivered;
        this.byRow[recv] = k;
      }
      this.dslogDone.add(r);
    }
  }
}

/** A message index brought up to date with its store. */
export function indexMessages(store: LogStore): MessageIndex {
  return new MessageIndex(store).update();
}
