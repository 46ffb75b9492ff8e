// Filters and the visible-row index. A filter compiles to small lookup tables; computing the visible
// rows is then one pass over typed arrays, appending row numbers to a Uint32Array.
import { F, LogStore, NO_PEER, ROLE_NAMES, type RoleName } from "./store.js";

export interface TermRange {
  readonly lo: number;
  readonly hi: number;
}

export interface Filter {
  readonly term?: TermRange;
  /** Topics to show (upper case); empty or absent = all. */
  readonly just?: readonly string[];
  /** Topics to hide. */
  readonly ignore?: readonly string[];
  /** Peers to show; absent = all. */
  readonly peers?: readonly number[];
  /** Peers to hide. */
  readonly hidePeers?: readonly number[];
  readonly roles?: readonly RoleName[];
  /** Opcodes to show. */
  readonly ops?: readonly string[];
  /** Opcodes to hide. */
  readonly hideOps?: readonly string[];
  /** Only rows of tests whose name contains this. */
  readonly test?: string;
  /** Rows from a stale instance of a peer (a killed Raft still logging): hide them, or show only them. */
  readonly stale?: StaleFilter;
}

export type StaleFilter = "hide" | "only";

/** Parses the --stale value. */
export function parseStale(s: string): StaleFilter {
  const v = s.trim().toLowerCase();
  if (v === "hide" || v === "only") return v;
  throw new FilterError(`bad --stale "${s}": expected hide or only`);
}

export class FilterError extends Error {}

/** Parses `3`, `3..5`, `3..` or `..5`. */
export function parseTermRange(s: string): TermRange {
  const t = s.trim();
  const m = /^(\d{1,16})?(?:(\.\.|-)(\d{1,16})?)?$/.exec(t);
  if (!m || t === "" || (m[1] === undefined && m[3] === undefined) || (m[2] === "-" && (m[1] === undefined || m[3] === undefined))) {
    throw new FilterError(`bad term "${s}": expected N or N..M (for example 3 or 3..5)`);
  }
  const lo = m[1] !== undefined ? Number(m[1]) : 0;
  const hi = m[2] === undefined ? lo : m[3] !== undefined ? Number(m[3]) : Number.MAX_SAFE_INTEGER;
  if (lo > Number.MAX_SAFE_INTEGER || (hi > Number.MAX_SAFE_INTEGER && m[3] !== undefined))
    throw new FilterError(`bad term "${s}": terms go up to ${Number.MAX_SAFE_INTEGER}`);
  if (hi < lo) throw new FilterError(`bad term "${s}": ${lo} > ${hi}`);
  return { lo, hi };
}

export function formatTermRange(r: TermRange): string {
  if (r.lo === r.hi) return String(r.lo);
  return `${r.lo}..${r.hi === Number.MAX_SAFE_INTEGER ? "" : r.hi}`;
}

/** Splits `A,B C` into names; names are checked only for shape (custom topics are welcome). */
export function parseNameList(s: string, what: string): string[] {
  const names = s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter((x) => x !== "");
  for (const n of names) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(n)) throw new FilterError(`bad ${what} "${n}"`);
  }
  return names;
}

export function parsePeerList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(/[,\s]+/)) {
    const p = part.trim().replace(/^S/i, "");
    if (p === "") continue;
    if (!/^\d{1,4}$/.test(p)) throw new FilterError(`bad peer "${part}": expected a number like 0 or S2`);
    out.push(Number(p));
  }
  return out;
}

export function parseRoles(s: string): RoleName[] {
  const out: RoleName[] = [];
  for (const part of s.split(/[,\s]+/)) {
    const p = part.trim().toLowerCase();
    if (p === "") continue;
    const full = ROLE_NAMES.find((r) => r !== "none" && r.startsWith(p));
    if (!full) throw new FilterError(`bad role "${part}": expected leader, candidate or follower`);
    out.push(full);
  }
  return out;
}

/**
 * Applies a "+A,B" / "-C" / "A,B" edit to a show/hide pair, as typed at an interactive prompt:
 * a bare or `+` list shows only those, `-` hides those, both can be mixed (`+VOTE -TIMR`).
 */
export function parseShowHide(s: string, what: string): { show: string[]; hide: string[] } {
  const show: string[] = [];
  const hide: string[] = [];
  for (const tok of s.split(/\s+/)) {
    if (tok === "") continue;
    if (tok.startsWith("-")) hide.push(...parseNameList(tok.slice(1), what));
    else show.push(...parseNameList(tok.replace(/^\+/, ""), what));
  }
  return { show, hide };
}

export function isEmptyFilter(f: Filter): boolean {
  return describeFilter(f) === "";
}

/** One-line summary for the status line. */
export function describeFilter(f: Filter): string {
  const parts: string[] = [];
  if (f.test) parts.push(`test~${f.test}`);
  if (f.term) parts.push(`term ${formatTermRange(f.term)}`);
  if (f.just?.length) parts.push(`just ${f.just.join(",")}`);
  if (f.ignore?.length) parts.push(`ignore ${f.ignore.join(",")}`);
  if (f.peers?.length) parts.push(`peers ${f.peers.map((p) => "S" + p).join(",")}`);
  if (f.hidePeers?.length) parts.push(`hide ${f.hidePeers.map((p) => "S" + p).join(",")}`);
  if (f.roles?.length) parts.push(`role ${f.roles.join(",")}`);
  if (f.ops?.length) parts.push(`op ${f.ops.join(",")}`);
  if (f.hideOps?.length) parts.push(`op -${f.hideOps.join(",")}`);
  if (f.stale === "hide") parts.push("stale hidden");
  else if (f.stale === "only") parts.push("stale only");
  return parts.join("  ");
}

/** Is a peer's column shown under this filter? */
export function peerShown(f: Filter, p: number): boolean {
  if (f.peers && f.peers.length > 0 && !f.peers.includes(p)) return false;
  if (f.hidePeers?.includes(p)) return false;
  return true;
}

/** The compiled form: lookup tables indexed by the store's small integer columns. */
interface Compiled {
  termLo: number;
  termHi: number;
  topicOk: Uint8Array | null;
  opOk: Uint8Array | null;
  peerOk: Uint8Array | null;
  roleOk: Uint8Array | null;
  testOk: Uint8Array | null;
  /** Rows pass when (flags & F.Stale) equals this; -1: no stale filter. */
  stale: number;
}

function upperNames(list: readonly string[] | undefined): Set<string> {
  return new Set((list ?? []).map((s) => s.toUpperCase()));
}

function compile(store: LogStore, f: Filter): Compiled {
  const c: Compiled = {
    termLo: f.term ? f.term.lo : -1,
    termHi: f.term ? f.term.hi : Number.MAX_SAFE_INTEGER,
    topicOk: null,
    opOk: null,
    peerOk: null,
    roleOk: null,
    testOk: null,
    stale: f.stale === "hide" ? 0 : f.stale === "only" ? F.Stale : -1,
  };
  if (f.just?.length || f.ignore?.length) {
    const just = upperNames(f.just);
    const ignore = upperNames(f.ignore);
    const ok = new Uint8Array(store.topics.size);
    ok[0] = 1; // rows without a topic
    for (let i = 1; i < store.topics.size; i++) {
      const n = store.topics.name(i).toUpperCase();
      ok[i] = (just.size === 0 || just.has(n)) && !ignore.has(n) ? 1 : 0;
    }
    c.topicOk = ok;
  }
  if (f.ops?.length || f.hideOps?.length) {
    const show = new Set((f.ops ?? []).map((s) => s.toLowerCase()));
    const hide = new Set((f.hideOps ?? []).map((s) => s.toLowerCase()));
    const ok = new Uint8Array(store.ops.size);
    ok[0] = show.size === 0 ? 1 : 0; // dslogs rows have no opcode: an op filter hides them
    for (let i = 1; i < store.ops.size; i++) {
      const n = store.ops.name(i).toLowerCase();
      ok[i] = (show.size === 0 || show.has(n)) && !hide.has(n) ? 1 : 0;
    }
    c.opOk = ok;
  }
  if ((f.peers && f.peers.length > 0) || f.hidePeers?.length) {
    const ok = new Uint8Array(4096 + 1);
    for (let p = 0; p < ok.length; p++) ok[p] = peerShown(f, p) ? 1 : 0;
    c.peerOk = ok;
  }
  if (f.roles?.length) {
    const ok = new Uint8Array(4);
    for (const r of f.roles) ok[ROLE_NAMES.indexOf(r)] = 1;
    c.roleOk = ok;
  }
  if (f.test) {
    const ok = new Uint8Array(store.tests.length);
    for (let i = 1; i < store.tests.length; i++) ok[i] = (store.tests[i] ?? "").includes(f.test) ? 1 : 0;
    c.testOk = ok;
  }
  return c;
}

/**
 * The filtering rules (also in --help):
 *  - the term filter hides rows whose term is known and outside the range (raw output and harness
 *    events without a term stay; a lost message counts with the term it carried);
 *  - --test keeps only rows inside matching tests;
 *  - raw text rows and pinned rows (test begin/end/fail, violations) pass topic, peer, role and op filters;
 *  - peer filters apply to a peer's rows and to harness events about that peer;
 *  - role filters apply to peer rows; topic and op filters apply to every row that has one;
 *  - the stale filter hides (or keeps only) peer rows from a stale instance of their peer.
 */
export function rowVisible(store: LogStore, c: Compiled, i: number): boolean {
  const term = store.term[i] as number;
  if (term >= 0 && (term < c.termLo || term > c.termHi)) return false;
  if (c.testOk && !c.testOk[store.test[i] as number]) return false;
  const flags = store.flags[i] as number;
  const src = store.src[i] as number;
  if (src === NO_PEER || flags & F.Pinned) return true;
  if (c.topicOk && !c.topicOk[store.topic[i] as number]) return false;
  if (c.opOk && !c.opOk[store.op[i] as number]) return false;
  if (c.peerOk) {
    const p = src >= 0 ? src : (store.dst[i] as number);
    if (p >= 0 && !c.peerOk[p]) return false;
  }
  if (c.roleOk && src >= 0 && !c.roleOk[store.role[i] as number]) return false;
  if (c.stale >= 0 && src >= 0 && (flags & F.Stale) !== c.stale) return false;
  return true;
}

/** A growable list of visible row numbers. */
export class VisibleRows {
  rows = new Uint32Array(1024);
  length = 0;
  /** Rows of the store already examined. */
  scanned = 0;
  push(r: number): void {
    if (this.length === this.rows.length) {
      const b = new Uint32Array(this.rows.length * 2);
      b.set(this.rows);
      this.rows = b;
    }
    this.rows[this.length++] = r;
  }
  at(i: number): number {
    return this.rows[i] as number;
  }
  /** Position of the first visible row >= `row` (length if none). */
  lowerBound(row: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.rows[mid] as number) < row) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Recomputes the visible rows from scratch. */
export function computeVisible(store: LogStore, f: Filter): VisibleRows {
  const v = new VisibleRows();
  if (store.length > v.rows.length) v.rows = new Uint32Array(store.length);
  extendVisible(store, f, v);
  return v;
}

/** Examines rows appended since the last call (a live stream), keeping `v` in step with the store. */
export function extendVisible(store: LogStore, f: Filter, v: VisibleRows): void {
  const n = store.length;
  if (v.scanned >= n) return;
  if (isEmptyFilter(f)) {
    for (let i = v.scanned; i < n; i++) v.push(i);
  } else {
    const c = compile(store, f);
    for (let i = v.scanned; i < n; i++) if (rowVisible(store, c, i)) v.push(i);
  }
  v.scanned = n;
}
