// The data of a run's page, columnar (one array per field, like the store) so 100k events stay a few
// MB of JSON and the page's filter is a loop over numbers. Row numbers are store rows.
import { fullText } from "../layout.js";
import { F, HARNESS_SRC, Kind, LogStore, NO_PEER } from "../store.js";
import { Mark, MessageIndex, MsgStatus } from "../spacetime/messages.js";

export interface RunRows {
  /** Time in ms; null for rows without one (raw text). */
  readonly t: (number | null)[];
  /** Emitting peer, HARNESS_SRC (-1) or NO_PEER (-2). */
  readonly src: number[];
  /** The other peer of a message, or the peer a harness event is about; -1 if none. */
  readonly dst: number[];
  /** -1 if unknown. */
  readonly term: number[];
  /** RoleId: 0 none, 1 follower, 2 candidate, 3 leader. */
  readonly role: number[];
  /** Indexes into RunData.topics / RunData.ops (0 = none). */
  readonly topic: number[];
  readonly op: number[];
  /** Store row flags (F). */
  readonly flags: number[];
  /** Index into RunData.tests. */
  readonly test: number[];
  /** spacetime Mark bits (term change, role change). */
  readonly mark: number[];
  /** The text as logviz shows it (escaped of control characters; still untrusted for HTML). */
  readonly text: string[];
}

export interface RunMessages {
  /** Row of the send; row of the receipt or loss (-1 if none). */
  readonly send: number[];
  readonly end: number[];
  /** MsgStatus: 0 delivered, 1 lost, 2 unreceived. */
  readonly status: number[];
  readonly from: number[];
  readonly to: number[];
  /** 1 for a reply. */
  readonly reply: number[];
  /** For a reply, the index of its request; -1 otherwise. */
  readonly req: number[];
}

export interface RunData {
  readonly version: 1;
  readonly source: string;
  readonly peers: number[];
  readonly tests: string[];
  readonly topics: string[];
  readonly ops: string[];
  readonly rows: RunRows;
  readonly msgs: RunMessages;
  /** The first failure or violation, if any. */
  readonly failure: { readonly row: number; readonly text: string } | null;
  /** The command that replays the run, if the trace says how (TestBegin's test and seed). */
  readonly replay: string | null;
  /** Bit values the page reads (store.F, spacetime Mark), so the page never hard-codes them. */
  readonly bits: {
    readonly pinned: number;
    readonly fail: number;
    readonly full: number;
    readonly send: number;
    readonly recv: number;
    readonly testBegin: number;
    readonly termChange: number;
    readonly roleChange: number;
  };
  readonly noPeer: number;
  readonly harness: number;
}

/** `s` as one shell word (single-quoted unless plain). */
function shellWord(s: string): string {
  return /^[\w.,:@%+=/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `raftlab run TEST --seed N --trace | logviz` from the first TestBegin that names both. */
export function replayFromTrace(store: LogStore): string | null {
  for (const r of store.testBegins) {
    if (store.kind[r] !== Kind.Json) continue;
    try {
      const o = JSON.parse(store.jsonAt(r)) as Record<string, unknown>;
      if (typeof o.test === "string" && typeof o.seed === "number" && Number.isSafeInteger(o.seed)) {
        return `raftlab run ${shellWord(o.test)} --seed ${o.seed} --trace | logviz`;
      }
    } catch {
      // not JSON after all: no replay
    }
  }
  return null;
}

/** The page's data from a store (brought up to date message index included). */
export function buildRunData(store: LogStore, source: string, index: MessageIndex = new MessageIndex(store)): RunData {
  index.update();
  const n = store.length;
  const rows: RunRows = {
    t: new Array(n),
    src: new Array(n),
    dst: new Array(n),
    term: new Array(n),
    role: new Array(n),
    topic: new Array(n),
    op: new Array(n),
    flags: new Array(n),
    test: new Array(n),
    mark: new Array(n),
    text: new Array(n),
  };
  let failure: RunData["failure"] = null;
  for (let i = 0; i < n; i++) {
    const t = store.t[i] as number;
    rows.t[i] = Number.isFinite(t) ? t : null;
    const src = store.src[i] as number;
    rows.src[i] = src;
    rows.dst[i] = store.dst[i] as number;
    rows.term[i] = store.term[i] as number;
    rows.role[i] = store.role[i] as number;
    rows.topic[i] = store.topic[i] as number;
    rows.op[i] = store.op[i] as number;
    const flags = store.flags[i] as number;
    rows.flags[i] = flags;
    rows.test[i] = store.test[i] as number;
    rows.mark[i] = index.marks[i] ?? 0;
    const full = src < 0 || (flags & F.Full) !== 0;
    rows.text[i] = full ? fullText(store, i) : store.textAt(i);
    if (failure === null && flags & F.Fail) failure = { row: i, text: rows.text[i] as string };
  }
  const msgs: RunMessages = { send: [], end: [], status: [], from: [], to: [], reply: [], req: [] };
  for (const m of index.messages) {
    msgs.send.push(m.send);
    msgs.end.push(m.end);
    msgs.status.push(m.status);
    msgs.from.push(m.from);
    msgs.to.push(m.to);
    msgs.reply.push(m.reply ? 1 : 0);
    msgs.req.push(m.request);
  }
  return {
    version: 1,
    source,
    peers: [...store.peers],
    tests: [...store.tests],
    topics: [...store.topics.names],
    ops: [...store.ops.names],
    rows,
    msgs,
    failure,
    replay: replayFromTrace(store),
    bits: {
      pinned: F.Pinned,
      fail: F.Fail,
      full: F.Full,
      send: F.Send,
      recv: F.Recv,
      testBegin: F.TestBegin,
      termChange: Mark.TermChange,
      roleChange: Mark.RoleChange,
    },
    noPeer: NO_PEER,
    harness: HARNESS_SRC,
  };
}

/** Delivered messages (what the page draws as arrows with no filter). */
export function deliveredCount(d: RunData): number {
  return d.msgs.status.filter((s) => s === MsgStatus.Delivered).length;
}
