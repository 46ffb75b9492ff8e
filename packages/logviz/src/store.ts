// The columnar store: one slot per input line in typed arrays, so a million lines cost a few hundred
// bytes each and a filter is a tight loop over numbers, not over objects.
import { HARNESS_OPS, PEER_OPS, TOPICS } from "@raftlab/raft/trace";
import { SpillFile } from "./spill.js";

/** Where a row came from; decides how it is drawn and how the detail pane reads it. */
export enum Kind {
  Raw = 0,
  Json = 1,
  Dslog = 2,
}

/** Roles as stored (0 = unknown/none). */
export enum RoleId {
  None = 0,
  Follower = 1,
  Candidate = 2,
  Leader = 3,
}
export const ROLE_NAMES = ["none", "follower", "candidate", "leader"] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export function roleId(name: unknown): RoleId {
  switch (name) {
    case "follower":
      return RoleId.Follower;
    case "candidate":
      return RoleId.Candidate;
    case "leader":
      return RoleId.Leader;
    default:
      return RoleId.None;
  }
}

/** Row flags (bits). */
export const F = {
  TestBegin: 1,
  TestEnd: 2,
  /** A failure: TestFail, Violation, a failed TestEnd, a panic, a FAIL line. */
  Fail: 4,
  /** The first row of a new highest term within the current test. */
  NewTerm: 8,
  /** Always shown by topic/peer/role/op filters (test boundaries, failures). */
  Pinned: 16,
  Send: 32,
  Recv: 64,
  /** Drawn across the full width (harness events, TEST lines, raw lines). */
  Full: 128,
  /** A dslogs row from an instance of its peer other than the one the tester runs now (a killed Raft
   * still logging: infer.ts, instances.ts). */
  Stale: 256,
  /** A harness row whose fault the --schedule overlay holds (schedule-overlay.ts): a scheduled drop,
   * a crash or disconnect from the schedule's script. */
  Scheduled: 512,
} as const;

/** `src` of a row that belongs to no peer and is not a harness event (raw text). */
export const NO_PEER = -2;
export const HARNESS_SRC = -1;
/** Peer ids above this are treated as bogus input (they would make absurd layouts). */
export const MAX_PEER = 4095;
/** Bound on distinct topic/op names (custom topics are allowed, but not without limit). */
const MAX_NAMES = 4096;

/** Interns short names (topics, ops) into small integers. Id 0 means "none". */
export class NameTable {
  readonly names: string[] = [""];
  private readonly ids = new Map<string, number>();
  constructor(initial: readonly string[]) {
    for (const n of initial) this.id(n);
  }
  id(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    if (this.names.length >= MAX_NAMES) return this.id("…other");
    const id = this.names.length;
    this.names.push(name);
    this.ids.set(name, id);
    return id;
  }
  lookup(name: string): number | undefined {
    return this.ids.get(name);
  }
  name(id: number): string {
    return this.names[id] ?? "";
  }
  get size(): number {
    return this.names.length;
  }
}

export interface RowInput {
  kind: Kind;
  t: number;
  src: number;
  dst: number;
  term: number;
  role: RoleId;
  topic: number;
  op: number;
  flags: number;
  test: number;
  /** The instance of the peer a dslogs row came from (1, 2, ... within the test), 0 if unknown. */
  inst: number;
  text: string;
  json: string | null;
}

/**
 * Default bound on rows held (--max-rows) for a finite input (a file read once, a pipe): the typed
 * columns cost about 31 bytes a row, and all but the newest DEFAULT_MEMORY_ROWS rows keep their text in
 * a temporary file (spill.ts), so 4M rows stay near 130 MB plus the text budget. Past it, the stream is
 * taken for an endless one: its oldest rows are dropped, and the status line says how many.
 */
export const DEFAULT_MAX_ROWS = 4_000_000;
/**
 * Default for a followed file (--follow), which never ends: on a fast stream V8 lets the heap grow well
 * past what the rows need (1M rows reached 0.9-1 GB RSS); 250k rows stayed at 335-370 MB. Nothing spills.
 */
export const DEFAULT_LIVE_MAX_ROWS = 250_000;
/**
 * Rows whose text (and input line) stay in memory (--memory-rows): about 300 bytes a row, the bulk of
 * a row's cost. Older rows' text waits in a temporary file and is read back when drawn or searched.
 */
export const DEFAULT_MEMORY_ROWS = 250_000;
/** The largest --max-rows accepted: the store's arithmetic stays far inside 2^31. */
export const MAX_MAX_ROWS = 100_000_000;

export interface StoreOptions {
  /** Typed-array capacity to start with (grows by doubling). */
  readonly initialCapacity?: number;
  /** Keep at most this many rows: a live stream drops its oldest rows past it (default DEFAULT_MAX_ROWS). */
  readonly maxRows?: number;
  /** Keep the text of at most this many rows in memory, older rows' text in a temporary file (default:
   * all in memory, nothing spilled). */
  readonly memoryRows?: number;
}

/**
 * Row numbers are positions in the store. When the store drops its oldest rows (bounded memory for a
 * live stream), every row number held outside shifts down by the number dropped; `dropped` counts them
 * all, so a view that remembers the count it last saw can rebase its own row numbers.
 */
export class LogStore {
  length = 0;
  /** Rows dropped from the front so far (the oldest rows of a stream longer than maxRows). */
  dropped = 0;
  readonly maxRows: number;
  private cap: number;
  t: Float64Array;
  src: Int16Array;
  dst: Int16Array;
  /** Float64: terms are arbitrary integers in logs (2^31 and beyond must survive; up to 2^53 exact). */
  term: Float64Array;
  role: Uint8Array;
  kind: Uint8Array;
  topic: Uint16Array;
  op: Uint16Array;
  flags: Uint16Array;
  /** The instance of the peer a dslogs row came from, numbered within the test (0: unknown). */
  inst: Uint8Array;
  /** Index into `tests` of the test a row belongs to (0 = before any test). */
  test: Uint16Array;
  /** Texts of rows [spilled, length) (textAt reads any row); older rows' texts are in `spill`. */
  private readonly memText: string[] = [];
  private readonly memJson: string[] = [];
  /** The oldest rows whose text lives in the spill file: row i < spilled is spill row spill.first + i. */
  spilled = 0;
  private spill: SpillFile | null = null;
  readonly memoryRows: number;

  readonly topics = new NameTable(TOPICS);
  readonly ops = new NameTable([...PEER_OPS, ...HARNESS_OPS]);
  /** Test names; index 0 is "(no test)". */
  readonly tests: string[] = [""];
  /** Row numbers of TestBegin rows, ascending (for {/} jumps and the header). */
  readonly testBegins: number[] = [];
  /** Peers seen, ascending. */
  peers: number[] = [];
  private readonly peerSeen = new Uint8Array(MAX_PEER + 1);
  /** What the --schedule overlay says of a row it marked (F.Scheduled), for the detail pane; null without one. */
  scheduleNote: ((row: number) => string | null) | null = null;
  /** Bumped on every append, so views know when to redraw. */
  version = 0;

  constructor(opts: StoreOptions = {}) {
    this.maxRows = Math.min(MAX_MAX_ROWS, Math.max(1, opts.maxRows ?? DEFAULT_MAX_ROWS));
    this.memoryRows = opts.memoryRows === undefined ? Infinity : Math.max(1, opts.memoryRows);
    this.cap = Math.min(opts.initialCapacity ?? 1 << 14, Math.max(16, this.maxRows + (this.maxRows >> 3) + 1));
    this.t = new Float64Array(this.cap);
    this.src = new Int16Array(this.cap);
    this.dst = new Int16Array(this.cap);
    this.term = new Float64Array(this.cap);
    this.role = new Uint8Array(this.cap);
    this.kind = new Uint8Array(this.cap);
    this.topic = new Uint16Array(this.cap);
    this.op = new Uint16Array(this.cap);
    this.flags = new Uint16Array(this.cap);
    this.inst = new Uint8Array(this.cap);
    this.test = new Uint16Array(this.cap);
  }

  /** The escaped display text of a row (msg of a JSON event, message of a dslogs line, the raw line). */
  textAt(row: number): string {
    if (row < this.spilled && this.spill !== null) return this.spill.text(this.spill.first + row);
    return this.memText[row - this.spilled] ?? "";
  }

  /** The input line of JSON rows (for the detail pane) and dslogs rows (for search: the time and `S<n>`
   * prefix as written); empty for raw rows, whose text is the whole line. Unescaped. */
  jsonAt(row: number): string {
    if (row < this.spilled && this.spill !== null) return this.spill.json(this.spill.first + row);
    return this.memJson[row - this.spilled] ?? "";
  }

  /** Moves the text of the oldest in-memory rows to the spill file, keeping `memoryRows` in memory. */
  private spillOldest(): void {
    const n = this.memText.length - this.memoryRows;
    if (n <= 0) return;
    try {
      this.spill ??= new SpillFile();
      this.spill.append(this.memText.slice(0, n), this.memJson.slice(0, n));
    } catch {
      // No temporary file (a full or read-only tmpdir): keep the text in memory, bounded by maxRows.
      (this as { memoryRows: number }).memoryRows = Infinity;
      return;
    }
    this.memText.splice(0, n);
    this.memJson.splice(0, n);
    this.spilled += n;
  }

  /** Closes the spill file (it is already unlinked: this frees the disk space now rather than at exit). */
  close(): void {
    this.spill?.close();
    this.spill = null;
  }

  private grow(): void {
    // Doubling, but never past what the row bound can use.
    const cap = Math.max(this.cap + 1, Math.min(this.cap * 2, this.maxRows + (this.maxRows >> 3) + 1));
    const g = <T extends Float64Array | Int16Array | Int32Array | Uint8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.t = g(this.t, (n) => new Float64Array(n));
    this.src = g(this.src, (n) => new Int16Array(n));
    this.dst = g(this.dst, (n) => new Int16Array(n));
    this.term = g(this.term, (n) => new Float64Array(n));
    this.role = g(this.role, (n) => new Uint8Array(n));
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.topic = g(this.topic, (n) => new Uint16Array(n));
    this.op = g(this.op, (n) => new Uint16Array(n));
    this.flags = g(this.flags, (n) => new Uint16Array(n));
    this.inst = g(this.inst, (n) => new Uint8Array(n));
    this.test = g(this.test, (n) => new Uint16Array(n));
    this.cap = cap;
  }

  notePeer(p: number, test = -1): void {
    if (test >= 0 && p >= 0 && p <= MAX_PEER) this.noteTestPeer(test, p);
    if (p < 0 || p > MAX_PEER || this.peerSeen[p]) return;
    this.peerSeen[p] = 1;
    const peers = [...this.peers, p];
    peers.sort((a, b) => a - b);
    this.peers = peers;
  }

  /** Peers seen in each test (by test index), ascending; the columns drawn for that test. */
  private readonly testPeerLists = new Map<number, number[]>();
  private lastTestPeers: { test: number; seen: Set<number> } = { test: -1, seen: new Set() };
  private readonly testPeerSets = new Map<number, Set<number>>();

  private noteTestPeer(test: number, p: number): void {
    let cur = this.lastTestPeers;
    if (cur.test !== test) {
      let seen = this.testPeerSets.get(test);
      if (!seen) {
        seen = new Set();
        this.testPeerSets.set(test, seen);
      }
      cur = this.lastTestPeers = { test, seen };
    }
    if (cur.seen.has(p)) return;
    cur.seen.add(p);
    this.testPeerLists.set(
      test,
      [...cur.seen].sort((a, b) => a - b),
    );
  }

  /** The peers of one test (all peers when the log has no tests). */
  peersOfTest(test: number): readonly number[] {
    return this.testPeerLists.get(test) ?? (this.tests.length <= 1 ? this.peers : []);
  }

  /** Moves rows [from, to) into `test` (start-up lines printed before the test's title line). */
  retagTest(from: number, to: number, test: number): void {
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) {
      this.test[i] = test;
      const src = this.src[i] as number;
      const dst = this.dst[i] as number;
      if (src >= 0) this.noteTestPeer(test, src);
      if (dst >= 0) this.noteTestPeer(test, dst);
    }
    this.version++;
  }

  /** Per test, the peers with more than one instance logging, and how many (a killed Raft still
   * running). Bounded by the number of tests and peers. */
  private readonly instanceCounts = new Map<number, Map<number, number>>();

  /** Records that `count` instances of `peer` have logged in `test` (counts below 2 are not kept). */
  noteInstances(test: number, peer: number, count: number): void {
    if (count < 2) return;
    let m = this.instanceCounts.get(test);
    if (!m) {
      m = new Map();
      this.instanceCounts.set(test, m);
    }
    if ((m.get(peer) ?? 0) < count) m.set(peer, count);
  }

  /** Peers of `test` with more than one instance logging, ascending, with their counts. */
  multipleInstances(test: number): Array<[peer: number, count: number]> {
    return [...(this.instanceCounts.get(test) ?? [])].sort((a, b) => a[0] - b[0]);
  }

  /** Starts a new test; returns its index. */
  beginTest(name: string): number {
    if (this.tests.length < 0xffff) this.tests.push(name);
    return this.tests.length - 1;
  }

  get currentTest(): number {
    return this.tests.length - 1;
  }

  append(r: RowInput): number {
    // Past the bound, drop the oldest rows in one batch of an eighth of it, so each row is moved at most
    // a few times (amortised O(1) per append) and the store never holds more than maxRows * 9/8.
    if (this.length >= this.maxRows + (this.maxRows >> 3)) this.dropOldest(this.length - this.maxRows + 1);
    if (this.length === this.cap) this.grow();
    const i = this.length;
    this.t[i] = r.t;
    this.src[i] = r.src;
    this.dst[i] = r.dst;
    this.term[i] = r.term;
    this.role[i] = r.role;
    this.kind[i] = r.kind;
    this.topic[i] = r.topic;
    this.op[i] = r.op;
    this.flags[i] = r.flags;
    this.inst[i] = r.inst;
    this.test[i] = r.test;
    this.memText.push(r.text);
    this.memJson.push(r.json ?? "");
    // In batches of an eighth of the budget, so each text is copied to the file once and spliced rarely.
    if (this.memText.length > this.memoryRows + (this.memoryRows >> 3)) this.spillOldest();
    if (r.flags & F.TestBegin) this.testBegins.push(i);
    if (r.src >= 0) this.notePeer(r.src, r.test);
    if (r.dst >= 0) this.notePeer(r.dst, r.test);
    this.length = i + 1;
    this.version++;
    return i;
  }

  /**
   * Forgets the oldest `n` rows; later rows move down by `n`. Print mode calls it for rows already
   * written, so its memory does not grow with the input.
   */
  dropOldest(n: number): void {
    const k = Math.min(Math.max(0, Math.floor(n)), this.length);
    if (k === 0) return;
    const len = this.length;
    for (const a of [this.t, this.src, this.dst, this.term, this.role, this.kind, this.topic, this.op, this.flags, this.inst, this.test])
      a.copyWithin(0, k, len);
    const fromSpill = Math.min(k, this.spilled);
    if (fromSpill > 0 && this.spill !== null) {
      this.spill.forget(this.spill.first + fromSpill);
      this.spilled -= fromSpill;
    }
    const fromMemory = k - fromSpill;
    if (fromMemory >= this.memText.length) {
      this.memText.length = 0;
      this.memJson.length = 0;
    } else if (fromMemory > 0) {
      this.memText.splice(0, fromMemory);
      this.memJson.splice(0, fromMemory);
    }
    let keep = 0;
    while (keep < this.testBegins.length && (this.testBegins[keep] as number) < k) keep++;
    this.testBegins.splice(0, keep);
    for (let i = 0; i < this.testBegins.length; i++) this.testBegins[i] = (this.testBegins[i] as number) - k;
    this.length = len - k;
    this.dropped += k;
    this.version++;
  }

  /** Name of the test a row belongs to ("" if none). */
  testName(row: number): string {
    return this.tests[this.test[row] ?? 0] ?? "";
  }
}
