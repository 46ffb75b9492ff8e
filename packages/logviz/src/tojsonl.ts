// `logviz FILE --to jsonl`: every input line as one line of the trace format (docs/trace-format.md),
// with what logviz inferred (src, term, state, the test) made explicit, plus `line` (1-based input line
// number) and `raw` (the original text). It makes the inference checkable (`jq`, tests) and feeds Go
// students' text logs to tools that read our traces.
import { createReadStream } from "node:fs";
import { escapeJsonC1 } from "@raftlab/raft/trace";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { isGzip, isRegularFile, sniffGzip } from "./ingest.js";
import { LineSplitter } from "./lines.js";
import { newParserState, parseLineInto, type ParserState } from "./parse.js";
import type { InferOptions } from "./infer.js";
import { F, HARNESS_SRC, Kind, LogStore, ROLE_NAMES, RoleId } from "./store.js";

/** Lines held back at most while a test's start-up lines wait for its title (then written anyway). */
const MAX_HELD = 10_000;
/** Written rows are dropped from the store in batches of at least this many (bounded memory). */
const DROP_BATCH = 4096;

interface Held {
  /** Absolute row number (store.dropped + index). */
  readonly abs: number;
  readonly line: number;
  readonly raw: string;
}

/** The trace event for one row; `t` is the time to use for rows that have none (raw text). */
export function rowEvent(store: LogStore, i: number, line: number, raw: string, t: number): Record<string, unknown> {
  const kind = store.kind[i] as Kind;
  const flags = store.flags[i] as number;
  const test = store.testName(i);
  if (kind === Kind.Json) {
    let o: Record<string, unknown> = {};
    try {
      o = JSON.parse(store.jsonAt(i)) as Record<string, unknown>;
    } catch {
      // the parser accepted it, so this does not happen; keep the raw text below in any case
    }
    return { ...o, line, raw };
  }
  const src = store.src[i] as number;
  const term = store.term[i] as number;
  const e: Record<string, unknown> = { t: Number.isFinite(store.t[i]) ? store.t[i] : t };
  if (kind === Kind.Dslog && src >= 0) {
    e.src = src;
    e.term = term;
    e.state = ROLE_NAMES[(store.role[i] as RoleId) || RoleId.Follower];
    e.op = "Log";
    e.topic = store.topics.name(store.topic[i] as number);
    e.msg = store.textAt(i);
    const inst = store.inst[i] as number;
    if (inst > 0) e.instance = inst;
    // A line from an instance of the peer other than the one the tester runs now (README: "killed Rafts").
    if (flags & F.Stale) e.stale = true;
    const dst = store.dst[i] as number;
    if (dst >= 0) {
      e.dst = dst;
      if (flags & F.Send) {
        e.from = src;
        e.dir = "send";
      } else if (flags & F.Recv) {
        e.from = dst;
        e.dst = src;
        e.dir = "recv";
      }
    }
  } else {
    e.src = HARNESS_SRC;
    e.term = term;
    e.state = "none";
    e.op = flags & F.TestBegin ? "TestBegin" : flags & F.TestEnd ? "TestEnd" : flags & F.Fail ? "TestFail" : kind === Kind.Dslog ? "Note" : "Output";
    e.topic = kind === Kind.Dslog ? store.topics.name(store.topic[i] as number) : flags & F.Fail ? "ERRO" : "TEST";
    e.msg = store.textAt(i);
    if (flags & F.TestEnd) e.ok = (flags & F.Fail) === 0;
  }
  if (test !== "") e.test = test;
  e.line = line;
  e.raw = raw;
  return e;
}

/** Converts a stream of bytes to JSON lines; `write` receives chunks of output text. */
export class JsonlConverter {
  readonly store = new LogStore();
  private readonly state: ParserState;
  private readonly splitter: LineSplitter;
  private readonly held: Held[] = [];
  private lineNo = 0;
  private lastT = 0;
  private out = "";

  constructor(
    private readonly write: (chunk: string) => void,
    options: InferOptions = {},
  ) {
    this.state = newParserState(options);
    this.splitter = new LineSplitter((line) => this.onLine(line));
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
    this.drain(false);
  }

  end(): void {
    this.splitter.end();
    this.drain(true);
  }

  private onLine(line: string): void {
    const i = parseLineInto(this.store, this.state, line);
    this.held.push({ abs: this.store.dropped + i, line: ++this.lineNo, raw: line });
    // Start-up lines between two tests wait for the next test's title, which moves them into it.
    if (this.state.startupFrom < 0 || this.held.length > MAX_HELD) this.flushHeld(Infinity);
    else this.flushHeld(this.state.startupFrom);
  }

  private flushHeld(below: number): void {
    let k = 0;
    const s = this.store;
    for (; k < this.held.length; k++) {
      const h = this.held[k] as Held;
      if (h.abs >= below) break;
      const i = h.abs - s.dropped;
      const t = s.t[i] as number;
      if (Number.isFinite(t)) this.lastT = t;
      // C1 controls of the input text escaped, as in every trace raftlab writes.
      this.out += escapeJsonC1(JSON.stringify(rowEvent(s, i, h.line, h.raw, this.lastT))) + "\n";
    }
    if (k > 0) this.held.splice(0, k);
    if (this.out.length >= 65536) this.drain(false);
  }

  private drain(final: boolean): void {
    if (final) this.flushHeld(Infinity);
    if (this.out !== "") {
      this.write(this.out);
      this.out = "";
    }
    // Rows already written are not needed again: memory stays bounded on a long input.
    const written = this.held.length > 0 ? (this.held[0] as Held).abs - this.store.dropped : this.store.length;
    if (written >= DROP_BATCH) this.store.dropOldest(written);
  }
}

/** Reads FILE (gzip too) or stdin to the end and writes its JSON lines to stdout. Resolves with an error
 * message if the input could not be read to its end (what was read is written first). */
export function convertToJsonl(file: string | undefined, options: InferOptions): Promise<string | null> {
  return new Promise((resolve) => {
    let stopped = false;
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      // The reader (head, jq) went away: stop quietly.
      if (err.code === "EPIPE") {
        stopped = true;
        resolve(null);
      }
    });
    let input: Readable = process.stdin;
    // Backpressure: a reader that stalls (jq paused, a full pipe) stops the input, so memory holds at most
    // one input chunk's output, not everything read meanwhile.
    const conv = new JsonlConverter((s) => {
      if (stopped) return;
      if (!process.stdout.write(s) && !input.isPaused()) {
        input.pause();
        process.stdout.once("drain", () => input.resume());
      }
    }, options);
    if (file !== undefined) {
      const raw = createReadStream(file);
      // A FIFO or `<(cmd)` is opened once and sniffed from its first bytes (see sniffGzip).
      input = !isRegularFile(file) ? sniffGzip(raw) : isGzip(file) ? raw.pipe(createGunzip()) : raw;
      if (input !== raw) raw.on("error", (e: Error) => done(e.message));
    }
    const done = (err: string | null): void => {
      if (stopped) return;
      stopped = err !== null;
      conv.end();
      resolve(err);
    };
    input.on("data", (chunk: Buffer | string) => {
      if (!stopped) conv.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    });
    input.on("end", () => done(null));
    input.on("error", (e: Error) => done(e.message));
  });
}
