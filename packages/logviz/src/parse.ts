// Turns one line of input into a row of the store. Three formats, detected per line:
//  - our JSON-lines trace (packages/raft/src/trace.ts);
//  - the dslogs text format Go 6.5840 students print: `<time> <TOPIC> S<n> <message>`;
//  - anything else (test-runner output, panics, stack traces), kept as a full-width raw row.
// Nothing here throws on bad input: a line that is not what it looks like becomes a raw row.
import { F, HARNESS_SRC, Kind, LogStore, MAX_PEER, NO_PEER, RoleId, roleId, type RowInput } from "./store.js";
import { escapeControls } from "./sanitize.js";

/** Harness ops that start, end or fail a test, or report a broken invariant: always kept by filters. */
const PINNED_OPS = new Set(["TestBegin", "TestEnd", "TestFail", "Violation"]);

// dslogs: zero-padded time in 0.1 ms units, a topic of capitals/digits (custom topics allowed).
const DSLOG = /^(\d{1,12}) +([A-Z][A-Z0-9]{1,7}) +(.*)$/;
const DSLOG_PEER = /^S(\d{1,4})\b *(.*)$/;
const DSLOG_ARROW = /\bS(\d{1,4}) *-> *S(\d{1,4})\b/;
const DSLOG_TERM = /\bT(\d{1,9})\b/;
const DSLOG_ROLE =
  /\b(?:becom\w*|became|convert\w*|revert\w*|step\w* down|now|as|to|->)\s+(?:a\s+|to\s+|as\s+)?(leader|candidate|follower)\b/i;
const DSLOG_ELECTION = /\bstart\w*\s+(?:an?\s+)?election\b/i;

// Test-runner output that marks test boundaries and failures (go test, the 6.5840 tester, vitest).
const RAW_TEST_BEGIN = /^(?:=== RUN\s+(\S+)|Test \(([^)]*)\): (.*?)\s*\.\.\.\s*$)/;
const RAW_TEST_END = /^(?:--- (PASS|FAIL): (\S+)|\s*\.\.\. Passed\b)/;
const RAW_FAIL = /^(?:panic: |fatal error: |FAIL\b|\s*(?:FAIL|×|✗)\s|.*\bTest\w* (?:failed|FAILED)\b)/;

export interface ParserState {
  /** Running highest term within the current test (for the NewTerm flag). */
  maxTerm: number;
  /** dslogs lines carry a term only sometimes: remember each peer's last one, and its role. */
  lastTerm: Map<number, number>;
  lastRole: Map<number, RoleId>;
  /** A JSON TestBegin without its TestEnd yet: the tester's own "Test (3C): ..." output line inside
   * it is the same test, not a new one. */
  jsonTestOpen: boolean;
}

export function newParserState(): ParserState {
  return { maxTerm: -1, lastTerm: new Map(), lastRole: new Map(), jsonTestOpen: false };
}

/** Reused for every line: parsing a million lines allocates no per-row objects. */
const row: RowInput = {
  kind: Kind.Raw,
  t: NaN,
  src: NO_PEER,
  dst: NO_PEER,
  term: -1,
  role: RoleId.None,
  topic: 0,
  op: 0,
  flags: 0,
  test: 0,
  text: "",
  json: null,
};

function reset(store: LogStore): RowInput {
  row.kind = Kind.Raw;
  row.t = NaN;
  row.src = NO_PEER;
  row.dst = NO_PEER;
  row.term = -1;
  row.role = RoleId.None;
  row.topic = 0;
  row.op = 0;
  row.flags = 0;
  row.test = store.currentTest;
  row.text = "";
  row.json = null;
  return row;
}

function isPeer(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_PEER;
}

function shortName(s: string): string {
  return escapeControls(s.length > 24 ? s.slice(0, 24) : s);
}

/** Parses a line and appends it to the store; returns the row number. */
export function parseLineInto(store: LogStore, state: ParserState, line: string): number {
  const r = reset(store);
  const c = line.charCodeAt(0);
  if (c === 123 /* { */ && fillJson(store, state, r, line)) return finish(store, state, r);
  if (c >= 48 && c <= 57 && fillDslog(store, state, r, line)) return finish(store, state, r);
  fillRaw(store, state, r, line);
  return finish(store, state, r);
}

function finish(store: LogStore, state: ParserState, r: RowInput): number {
  if (r.flags & F.TestBegin) state.maxTerm = -1;
  if (r.src >= 0 && r.term > state.maxTerm) {
    if (state.maxTerm >= 0 || r.term > 0) r.flags |= F.NewTerm;
    state.maxTerm = r.term;
  }
  return store.append(r);
}

/** The fields logviz reads from a trace event. Numbers are NaN and strings null when absent or of
 * the wrong type. (A hand-written scanner was tried in place of JSON.parse: it was slower.) */
interface EventFields {
  t: number;
  src: number;
  term: number;
  dst: number;
  mterm: number;
  peer: number;
  state: string | null;
  op: string | null;
  topic: string | null;
  msg: string | null;
  dir: string | null;
  test: string | null;
  /** 1 = true, 0 = false, -1 = absent. */
  ok: number;
}

const scanned: EventFields = { t: NaN, src: NaN, term: NaN, dst: NaN, mterm: NaN, peer: NaN, state: null, op: null, topic: null, msg: null, dir: null, test: null, ok: -1 };

/** JSON.parse, then the fields logviz needs (wrong types dropped). */
const num = (x: unknown): number => (typeof x === "number" ? x : NaN);
const str = (x: unknown): string | null => (typeof x === "string" ? x : null);

function parseEvent(line: string, e: EventFields): boolean {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    o = v as Record<string, unknown>;
  } catch {
    return false;
  }
  e.t = num(o.t);
  e.src = num(o.src);
  e.term = num(o.term);
  e.dst = num(o.dst);
  e.mterm = num(o.mterm);
  e.peer = num(o.peer);
  e.state = str(o.state);
  e.op = str(o.op);
  e.topic = str(o.topic);
  e.msg = typeof o.msg === "string" ? o.msg : o.msg === undefined ? null : (JSON.stringify(o.msg) ?? null);
  e.dir = str(o.dir);
  e.test = str(o.test);
  e.ok = o.ok === true ? 1 : o.ok === false ? 0 : -1;
  return true;
}

function fillJson(store: LogStore, state: ParserState, r: RowInput, line: string): boolean {
  const o = scanned;
  if (!parseEvent(line, o)) return false;
  if (Number.isNaN(o.t) || Number.isNaN(o.src) || o.op === null) return false;
  const src = o.src;
  if (src !== HARNESS_SRC && !isPeer(src)) return false;
  r.kind = Kind.Json;
  r.json = line;
  r.t = o.t;
  r.src = src;
  // Known names skip the escaping (one Map lookup); new ones are escaped and cut before interning.
  r.op = store.ops.lookup(o.op) ?? store.ops.id(shortName(o.op));
  if (o.topic !== null) r.topic = store.topics.lookup(o.topic) ?? store.topics.id(shortName(o.topic));
  r.text = o.msg !== null ? escapeControls(o.msg) : "";
  if (o.dir === "send") r.flags |= F.Send;
  else if (o.dir === "recv") r.flags |= F.Recv;
  if (src === HARNESS_SRC) {
    r.flags |= F.Full;
    const op = o.op;
    if (PINNED_OPS.has(op)) r.flags |= F.Pinned;
    if (op === "TestBegin") {
      r.flags |= F.TestBegin;
      r.test = store.beginTest(o.test !== null ? escapeControls(o.test) : `test ${store.tests.length}`);
      state.lastRole.clear();
      state.lastTerm.clear();
      state.jsonTestOpen = true;
    } else if (op === "TestEnd") {
      r.flags |= F.TestEnd;
      state.jsonTestOpen = false;
      if (o.ok === 0) r.flags |= F.Fail;
    } else if (op === "TestFail" || op === "Violation") {
      r.flags |= F.Fail;
    }
    // A harness event about a peer is drawn in, and filtered with, that peer; a lost message has a term.
    if (isPeer(o.peer)) r.dst = o.peer;
    else if (isPeer(o.dst)) r.dst = o.dst;
    if (Number.isInteger(o.mterm)) r.term = o.mterm;
  } else {
    if (Number.isInteger(o.term)) r.term = o.term;
    r.role = o.state !== null ? roleId(o.state) : RoleId.None;
    if (isPeer(o.dst)) r.dst = o.dst;
  }
  return true;
}

function fillDslog(store: LogStore, state: ParserState, r: RowInput, line: string): boolean {
  const m = DSLOG.exec(line);
  if (!m) return false;
  const time = m[1] as string;
  const topic = m[2] as string;
  let rest = m[3] as string;
  r.kind = Kind.Dslog;
  r.t = Number(time) / 10; // dslogs prints Microseconds()/100, i.e. 0.1 ms units
  r.topic = store.topics.id(topic);
  const pm = topic === "TEST" ? null : DSLOG_PEER.exec(rest);
  if (!pm) {
    // TEST lines (and lines without a peer) span the full width.
    r.src = HARNESS_SRC;
    r.flags |= F.Full;
    r.text = escapeControls(rest);
    if (RAW_FAIL.test(rest) || /\bfail/i.test(rest)) r.flags |= F.Fail | F.Pinned;
    return true;
  }
  const src = Number(pm[1]);
  rest = pm[2] as string;
  r.src = src;
  const arrow = DSLOG_ARROW.exec(line);
  if (arrow) {
    const a = Number(arrow[1]);
    const b = Number(arrow[2]);
    if (a === src) {
      r.dst = b;
      r.flags |= F.Send;
    } else if (b === src) {
      r.dst = a;
      r.flags |= F.Recv;
    } else r.dst = b;
  }
  const tm = DSLOG_TERM.exec(rest);
  if (tm) {
    r.term = Number(tm[1]);
    state.lastTerm.set(src, r.term);
  } else r.term = state.lastTerm.get(src) ?? -1;
  // Roles are not fields in dslogs; infer them from the usual phrases ("converting to Leader").
  const rm = DSLOG_ROLE.exec(rest);
  let role = state.lastRole.get(src) ?? RoleId.None;
  if (rm) role = roleId((rm[1] as string).toLowerCase());
  else if (DSLOG_ELECTION.test(rest)) role = RoleId.Candidate;
  state.lastRole.set(src, role);
  r.role = role;
  r.text = escapeControls(rest);
  return true;
}

function fillRaw(store: LogStore, state: ParserState, r: RowInput, line: string): void {
  r.kind = Kind.Raw;
  r.flags |= F.Full;
  r.text = escapeControls(line);
  const c = line.charCodeAt(0);
  // Cheap first-character checks keep ordinary output lines off the regexes.
  if (c === 61 /* = */ || c === 84 /* T */) {
    const b = RAW_TEST_BEGIN.exec(line);
    if (b && state.jsonTestOpen) {
      r.flags |= F.Pinned;
      return;
    }
    if (b) {
      r.flags |= F.TestBegin | F.Pinned;
      r.test = store.beginTest(escapeControls(b[1] ?? `(${b[2] ?? ""}) ${b[3] ?? ""}`));
      return;
    }
  }
  if (c === 45 /* - */ || c === 32 || c === 9) {
    const e = RAW_TEST_END.exec(line);
    if (e) {
      r.flags |= (state.jsonTestOpen ? 0 : F.TestEnd) | F.Pinned;
      if (e[1] === "FAIL") r.flags |= F.Fail;
      return;
    }
  }
  if (RAW_FAIL.test(line)) r.flags |= F.Fail | F.Pinned;
}
