// Turns one line of input into a row of the store. Three formats, detected per line:
//  - our JSON-lines trace (packages/raft/src/trace.ts);
//  - the dslogs text format Go 6.5840 students print: `<time> <TOPIC> S<n> <message>`;
//  - anything else (test-runner output, panics, stack traces), kept as a full-width raw row.
// Nothing here throws on bad input: a line that is not what it looks like becomes a raw row.
import { F, HARNESS_SRC, Kind, LogStore, MAX_PEER, NO_PEER, RoleId, roleId, type RowInput } from "./store.js";
import { escapeControls } from "./sanitize.js";
import { PeerTracker, readMarks, type InferOptions, type Inferred, type Marks } from "./infer.js";

/** Harness ops that start, end or fail a test, or report a broken invariant: always kept by filters. */
const PINNED_OPS = new Set(["TestBegin", "TestEnd", "TestFail", "Violation"]);

// dslogs: zero-padded time in 0.1 ms units, a topic of capitals/digits (custom topics allowed).
const DSLOG = /^(\d{1,12}) +([A-Z][A-Z0-9]{1,7}) +(.*)$/;
const DSLOG_PEER = /^S(\d{1,4})\b *(.*)$/;
/** `S1 -> S2` (a message from 1 to 2) or `S1 <- S2` (1 received from 2). */
const DSLOG_ARROW = /\bS(\d{1,4}) *(->|<-|→|←) *S(\d{1,4})\b/;
/** The same with the peer's own `Role@T<n>` or `T<n>` between: `S2 Leader@T1 -> S0 ...` (rest only). */
const DSLOG_LEAD_ARROW = /^\s*[[(]?(?:\w+@)?T\d{1,16}[\])]?:? *(->|<-|→|←) *S(\d{1,4})\b/;
/** Go's log package prefix (`2026/12/01 11:00:00.123456 `) in front of a dslogs line, when a student
 * forgot `log.SetFlags(0)`. */
const GO_LOG_PREFIX = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? +/;
// eslint-disable-next-line no-control-regex -- an ANSI SGR sequence starts with ESC (U+001B)
const SGR = /\x1b\[[0-9;:]*m/g;

// Test-runner output that marks test boundaries and failures (go test, the 6.5840 tester, vitest).
const RAW_TEST_BEGIN = /^(?:=== RUN\s+(\S+)|Test \(([^)]*)\): (.*?)\s*\.\.\.\s*$)/;
const RAW_TEST_END = /^(?:--- (PASS|FAIL): (\S+)|\s*\.\.\. Passed\b)/;
const RAW_FAIL = /^(?:panic: |fatal error: |FAIL\b|\s*(?:FAIL|×|✗)\s|.*\bTest\w* (?:failed|FAILED)\b)/;

export interface ParserState {
  /** Running highest term within the current test (for the NewTerm flag). */
  maxTerm: number;
  /** dslogs lines carry a term only sometimes: each peer's own term and role, inferred (infer.ts). */
  readonly tracker: PeerTracker;
  /** A JSON TestBegin without its TestEnd yet: the tester's own "Test (3C): ..." output line inside
   * it is the same test, not a new one. */
  jsonTestOpen: boolean;
  /** A `=== RUN` test whose `Test (..):` title line has not come yet: that line is the same test. */
  runOpen: boolean;
  /** After a test's end, before the next test's start. */
  between: boolean;
  /** Absolute row number (store.dropped + index) of the first start-up line (`restored persistent
   * state`, `readPersist`) seen between tests, or -1: those lines belong to the next test. */
  startupFrom: number;
  /** The term each message id carried when sent, in the current test, for harness events that lack it
   * (the tester's MsgLost). Bounded: cleared when it reaches MSG_TERMS_MAX. */
  readonly msgTerm: Map<string, number>;
}

const MSG_TERMS_MAX = 100_000;

export function newParserState(options: InferOptions = {}): ParserState {
  return { maxTerm: -1, tracker: new PeerTracker(options), jsonTestOpen: false, runOpen: false, between: true, startupFrom: -1, msgTerm: new Map() };
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
  inst: 0,
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
  row.inst = 0;
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
  if (c === 27 && line.charCodeAt(1) === 91 /* ESC [ */) {
    // A student's coloured Debug(): the same dslogs line inside colour codes.
    const plain = line.replace(SGR, "");
    const p = plain.charCodeAt(0);
    if (p >= 48 && p <= 57 && fillDslog(store, state, r, plain)) return finish(store, state, r);
  }
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
  id: string | null;
  /** 1 = true, 0 = false, -1 = absent. */
  ok: number;
}

const scanned: EventFields = {
  t: NaN,
  src: NaN,
  term: NaN,
  dst: NaN,
  mterm: NaN,
  peer: NaN,
  state: null,
  op: null,
  topic: null,
  msg: null,
  dir: null,
  test: null,
  id: null,
  ok: -1,
};

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
  e.id = str(o.id);
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
      state.tracker.reset();
      state.msgTerm.clear();
      state.jsonTestOpen = true;
      state.between = false;
      state.startupFrom = -1;
    } else if (op === "TestEnd") {
      r.flags |= F.TestEnd;
      state.jsonTestOpen = false;
      state.between = true;
      if (o.ok === 0) r.flags |= F.Fail;
    } else if (op === "TestFail" || op === "Violation") {
      r.flags |= F.Fail;
    }
    // A harness event about a peer is drawn in, and filtered with, that peer; a lost message has a term.
    if (isPeer(o.peer)) r.dst = o.peer;
    else if (isPeer(o.dst)) r.dst = o.dst;
    // A harness event about a message (the tester's MsgLost has no mterm) counts in the term the
    // message carried when it was sent, so a term filter keeps it with its exchange.
    if (Number.isInteger(o.mterm)) r.term = o.mterm;
    else if (o.id !== null) r.term = state.msgTerm.get(o.id) ?? -1;
  } else if (o.op === "Print" && o.msg !== null && printAsDslog(store, state, r, o.msg)) {
    // A line a Raft printed, captured by the tester (docs/trace-format.md): its dslogs text gives the
    // topic, term and role, inferred as for a dslogs input line; the tester's src stays.
  } else {
    if (Number.isInteger(o.term)) r.term = o.term;
    if (o.id !== null && o.dir === "send" && Number.isInteger(o.mterm)) {
      if (state.msgTerm.size >= MSG_TERMS_MAX) state.msgTerm.clear();
      state.msgTerm.set(o.id, o.mterm);
    }
    r.role = o.state !== null ? roleId(o.state) : RoleId.None;
    if (isPeer(o.dst)) r.dst = o.dst;
  }
  return true;
}

/** Scratch for one line's markers and inferred term/role (no per-row allocation). */
const marks: Marks = { term: -1, role: RoleId.None, boot: false, explicit: false };
const inferred: Inferred = { term: -1, role: RoleId.None, instance: 0, stale: false };

/** Where scanDslog found the fields of a dslogs line (no per-line match arrays). */
const head = { timeEnd: 0, topicStart: 0, topicEnd: 0, msgStart: 0 };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isWord = (c: number): boolean => isDigit(c) || isUpper(c) || (c >= 97 && c <= 122) || c === 95;

/** The DSLOG regex, `^(\d{1,12}) +([A-Z][A-Z0-9]{1,7}) +(.*)$`, by hand: the fields' bounds go to
 * `head`. (Print mode spends a large share of its time here; a hand scan allocates nothing.) */
function scanDslog(line: string): boolean {
  const n = line.length;
  let i = 0;
  while (i < n && isDigit(line.charCodeAt(i))) i++;
  if (i < 1 || i > 12 || line.charCodeAt(i) !== 32) return false;
  head.timeEnd = i;
  while (line.charCodeAt(i) === 32) i++;
  head.topicStart = i;
  if (!isUpper(line.charCodeAt(i))) return false;
  i++;
  while (i < n && (isUpper(line.charCodeAt(i)) || isDigit(line.charCodeAt(i)))) i++;
  const len = i - head.topicStart;
  if (len < 2 || len > 8 || line.charCodeAt(i) !== 32) return false;
  head.topicEnd = i;
  while (line.charCodeAt(i) === 32) i++;
  head.msgStart = i;
  return true;
}

/** What the regexes' `.` does not match: a message holding one is not a dslogs line. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** Start of the text after `S<n> ` in a dslogs message (DSLOG_PEER, `^S(\d{1,4})\b *(.*)$`), with the
 * peer in `peerOf.peer`; -1 when the message does not start with a peer. */
const peerOf = { peer: -1 };
function scanPeer(msg: string): number {
  if (msg.charCodeAt(0) !== 83 /* S */) return -1;
  let i = 1;
  let peer = 0;
  while (i < msg.length && isDigit(msg.charCodeAt(i))) peer = peer * 10 + msg.charCodeAt(i++) - 48;
  if (i < 2 || i > 5 || (i < msg.length && isWord(msg.charCodeAt(i)))) return -1;
  while (msg.charCodeAt(i) === 32) i++;
  peerOf.peer = peer;
  return i;
}

function fillDslog(store: LogStore, state: ParserState, r: RowInput, line: string): boolean {
  let body = line;
  if (!scanDslog(body)) {
    if (line.charCodeAt(4) !== 47 /* / */) return false;
    const prefix = GO_LOG_PREFIX.exec(line);
    if (!prefix) return false;
    body = line.slice(prefix[0].length);
    if (!scanDslog(body)) return false;
  }
  const time = body.slice(0, head.timeEnd);
  const topic = body.slice(head.topicStart, head.topicEnd);
  const msg = body.slice(head.msgStart);
  if (LINE_BREAK.test(msg)) return false;
  r.kind = Kind.Dslog;
  r.json = line; // the whole line, for search (store.json: the raw line of JSON and dslogs rows)
  r.t = Number(time) / 10; // dslogs prints Microseconds()/100, i.e. 0.1 ms units
  r.topic = store.topics.id(topic);
  const restAt = topic === "TEST" ? -1 : scanPeer(msg);
  if (restAt < 0) {
    // TEST lines (and lines without a peer) span the full width; a test title there starts a test.
    r.src = HARNESS_SRC;
    r.flags |= F.Full;
    r.text = escapeControls(msg);
    const b = RAW_TEST_BEGIN.exec(msg);
    if (b) beginTest(store, state, r, b);
    else if (RAW_FAIL.test(msg) || /\bfail/i.test(msg)) r.flags |= F.Fail | F.Pinned;
    return true;
  }
  const src = peerOf.peer;
  const rest = msg.slice(restAt);
  r.src = src;
  // A message: `S<a> -> S<b>` anywhere, or `-> S<b>` right after the peer's own prefix.
  let a = -1;
  let b = -1;
  let arrowText = "";
  const arrow = DSLOG_ARROW.exec(msg);
  if (arrow) {
    a = Number(arrow[1]);
    arrowText = arrow[2] as string;
    b = Number(arrow[3]);
  } else {
    const lead = DSLOG_LEAD_ARROW.exec(rest);
    if (lead) {
      a = src;
      arrowText = lead[1] as string;
      b = Number(lead[2]);
    }
  }
  if (a >= 0) {
    const back = arrowText === "<-" || arrowText === "←";
    const from = back ? b : a;
    const to = back ? a : b;
    if (from === src) {
      r.dst = to;
      r.flags |= F.Send;
    } else if (to === src) {
      r.dst = from;
      r.flags |= F.Recv;
    } else r.dst = to;
  }
  readMarks(rest, state.tracker.options, marks);
  if (marks.boot && state.between && state.startupFrom < 0) {
    // A peer starting between two tests is the next test's start-up (the tester makes its servers
    // before it prints the test's title): count it, and infer its state, in the next test.
    state.startupFrom = store.dropped + store.length;
    state.tracker.reset();
  }
  state.tracker.apply(src, marks, inferred);
  r.term = inferred.term;
  r.role = inferred.role;
  r.inst = inferred.instance;
  if (inferred.stale) r.flags |= F.Stale;
  // A stale row means one more instance than the current one, even before the current one logs here.
  if (inferred.stale) store.noteInstances(r.test, src, Math.max(2, state.tracker.instanceCount(src)));
  r.text = escapeControls(rest);
  return true;
}

/** A Print row whose text is a dslogs line (`<time> <TOPIC> S<n> ...`): its topic, and the term and
 * role inferred from it for the row's peer (the tester's `src`). False: not dslogs text. */
function printAsDslog(store: LogStore, state: ParserState, r: RowInput, msg: string): boolean {
  const m = DSLOG.exec(msg.replace(SGR, ""));
  if (!m) return false;
  const topic = m[2] as string;
  const pm = DSLOG_PEER.exec(m[3] as string);
  r.topic = store.topics.lookup(topic) ?? store.topics.id(shortName(topic));
  const rest = pm ? (pm[2] as string) : (m[3] as string);
  readMarks(rest, state.tracker.options, marks);
  state.tracker.apply(r.src, marks, inferred);
  r.term = inferred.term;
  r.role = inferred.role;
  r.text = escapeControls(rest);
  return true;
}

/** A test title (`=== RUN TestX`, `Test (3A): initial election ...`): starts a test, or names the one
 * `=== RUN` already started. */
function beginTest(store: LogStore, state: ParserState, r: RowInput, b: RegExpExecArray): void {
  const isRun = b[1] !== undefined;
  if (state.jsonTestOpen) {
    r.flags |= F.Pinned;
    return;
  }
  const title = isRun ? (b[1] as string) : `(${b[2] ?? ""}) ${b[3] ?? ""}`;
  if (!isRun && state.runOpen) {
    // go test -v: `=== RUN TestX` came first, then the tester's title for the same test (which keeps
    // the Go name: rows already shown or converted carry it).
    state.runOpen = false;
    r.flags |= F.Pinned;
    return;
  }
  r.flags |= F.TestBegin | F.Pinned;
  r.test = store.beginTest(escapeControls(title));
  state.runOpen = isRun;
  // Start-up lines printed between the previous test's end and this title are this test's; the peer
  // state inferred from them is kept.
  const from = state.startupFrom - store.dropped;
  if (state.between && state.startupFrom >= 0 && from >= 0) store.retagTest(from, store.length, r.test);
  else state.tracker.reset();
  state.between = false;
  state.startupFrom = -1;
  state.msgTerm.clear();
}

function endTest(state: ParserState, isGoResult: boolean): void {
  if (isGoResult) state.runOpen = false;
  state.between = true;
  state.startupFrom = -1;
  state.tracker.reset();
}

function fillRaw(store: LogStore, state: ParserState, r: RowInput, line: string): void {
  r.kind = Kind.Raw;
  r.flags |= F.Full;
  r.text = escapeControls(line);
  const c = line.charCodeAt(0);
  // Cheap first-character checks keep ordinary output lines off the regexes.
  if (c === 61 /* = */ || c === 84 /* T */) {
    const b = RAW_TEST_BEGIN.exec(line);
    if (b) {
      beginTest(store, state, r, b);
      return;
    }
  }
  if (c === 45 /* - */ || c === 32 || c === 9) {
    const e = RAW_TEST_END.exec(line);
    if (e) {
      r.flags |= (state.jsonTestOpen ? 0 : F.TestEnd) | F.Pinned;
      if (e[1] === "FAIL") r.flags |= F.Fail;
      if (!state.jsonTestOpen) endTest(state, e[1] !== undefined);
      return;
    }
  }
  if (RAW_FAIL.test(line)) r.flags |= F.Fail | F.Pinned;
}
