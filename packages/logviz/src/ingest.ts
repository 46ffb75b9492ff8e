// Feeds bytes from a file or a pipe into the store, in chunks, yielding to the event loop between
// chunks so the first screen shows while a big file is still being read.
import { closeSync, createReadStream, openSync, promises as fsp, readSync, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { PassThrough, type Readable } from "node:stream";
import { LineSplitter } from "./lines.js";
import { newParserState, parseLineInto, type ParserState } from "./parse.js";
import { LogStore } from "./store.js";
import type { InferOptions } from "./infer.js";

/** A schedule overlay as the ingest sees it (schedule-overlay.ts). */
export interface RowMarker {
  mark(store: LogStore, row: number): void;
  faultOf(store: LogStore, row: number): string | null;
}

export class Ingest {
  readonly state: ParserState;
  private readonly splitter: LineSplitter;
  /** Bytes consumed so far (a growing file resumes from here). */
  bytes = 0;
  /** True once the input has ended (EOF of a stream; for a followed file, never). */
  ended = false;
  constructor(
    readonly store: LogStore,
    options: InferOptions = {},
    /** Marks the rows a schedule's faults caused, as they are read (--schedule). */
    overlay: RowMarker | null = null,
  ) {
    this.state = newParserState(options);
    if (overlay === null) this.splitter = new LineSplitter((line) => parseLineInto(this.store, this.state, line));
    else {
      store.scheduleNote = (row) => overlay.faultOf(store, row);
      this.splitter = new LineSplitter((line) => overlay.mark(this.store, parseLineInto(this.store, this.state, line)));
    }
  }
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.splitter.push(chunk);
  }
  /** Ends the input, keeping a final line that had no newline. */
  end(): void {
    this.splitter.end();
    this.ended = true;
  }
  /** Shows a held-back partial last line as a row (see LineSplitter.flushPartial). */
  flushPartial(): boolean {
    if (this.splitter.partialChars === 0) return false;
    this.splitter.flushPartial();
    return true;
  }

  /** Parses a whole string (tests, benchmarks). */
  pushText(s: string): this {
    this.push(Buffer.from(s, "utf8"));
    return this;
  }
}

export interface SourceOptions {
  /** Keep watching a file for appended data after EOF. */
  readonly follow: boolean;
  /** Called after each chunk has been parsed. */
  readonly onData: () => void;
  /** Called when the input has ended (not called for a followed file). */
  readonly onEnd: () => void;
  /** A followed file has been read up to its current end (after the first read, and after each read of
   * what was appended): nothing more to come unless it grows. */
  readonly onCaughtUp?: () => void;
  readonly onError: (message: string) => void;
  /** A followed file quiet for this long shows its unfinished last line, ms (default 1000). */
  readonly partialFlushMs?: number;
  /** Bytes read at a time from a regular file (default 1 MiB). Print mode reads 64 KiB: its rows are
   * written and dropped after each chunk, and with small chunks they die young (less work for the
   * garbage collector: about a tenth of print mode's CPU on a 96k-line log). */
  readonly chunkBytes?: number;
  /** Poll interval for a followed file, ms. */
  readonly pollMs?: number;
  /** A followed file was truncated or replaced (`reason` says which): the source reads it again from
   * the start into the Ingest this returns (a fresh one, so nothing of the old file is spliced onto the
   * new). Without it, the source reports the change through onError and stops following. */
  readonly onRestart?: (reason: string) => Ingest;
}

export interface Source {
  close(): void;
  /** Stop reading until resume() (a slow reader downstream: see print mode's backpressure). */
  pause(): void;
  resume(): void;
}

const CHUNK = 1 << 20;

function pump(stream: Readable, ingest: Ingest, opts: SourceOptions, onDone: () => void): void {
  stream.on("data", (chunk: Buffer | string) => {
    ingest.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    opts.onData();
  });
  stream.on("error", (err: Error) => opts.onError(err.message));
  stream.on("end", onDone);
}

/** True if the file starts with the gzip magic bytes. */
export function isGzip(path: string): boolean {
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** True for a regular file (read by offset, followed); false for a FIFO, a process substitution
 * (`<(cmd)`, a pipe under /dev/fd), a character device: those are read once, as a stream. */
export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true; // let the read report the error
  }
}

/**
 * The bytes of `raw`, decompressed if its first bytes are the gzip magic: sniffed from the one stream,
 * so a FIFO is opened once (opening it twice to peek made its writer see the reader go and hang) and a
 * pipe is never read by offset (ESPIPE). A first chunk of one byte is taken as not gzip.
 */
export function sniffGzip(raw: Readable): Readable {
  const out = new PassThrough({ highWaterMark: CHUNK });
  let started = false;
  raw.once("data", (first: Buffer | string) => {
    started = true;
    const b = typeof first === "string" ? Buffer.from(first) : first;
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
      const gunzip = createGunzip({ chunkSize: CHUNK });
      gunzip.on("error", (err: Error) => out.destroy(new Error(`gzip: ${err.message}`)));
      gunzip.write(b);
      raw.pipe(gunzip).pipe(out);
    } else {
      out.write(b);
      raw.pipe(out);
    }
  });
  raw.once("end", () => {
    if (!started) out.end();
  });
  raw.on("error", (err: Error) => out.destroy(err));
  return out;
}

/** Reads a file; with `follow`, keeps reading what is appended (like tail -f). A gzip file
 * (a compressed saved trace) is decompressed on the fly and not followed. A FIFO or a process
 * substitution is read once as a stream. */
export function openFileSource(path: string, ingest: Ingest, opts: SourceOptions): Source {
  if (!isRegularFile(path)) {
    const raw = createReadStream(path, { highWaterMark: CHUNK });
    const src = openStreamSource(sniffGzip(raw), ingest, opts);
    return {
      close() {
        raw.destroy();
        src.close();
      },
      pause: () => src.pause(),
      resume: () => src.resume(),
    };
  }
  if (isGzip(path)) {
    const raw = createReadStream(path, { highWaterMark: CHUNK });
    const gunzip = createGunzip({ chunkSize: CHUNK });
    raw.on("error", (err: Error) => opts.onError(err.message));
    gunzip.on("error", (err: Error) => {
      // A corrupt or truncated archive: keep what was read, say what went wrong.
      opts.onError(`gzip: ${err.message}`);
      ingest.end();
      opts.onData();
      opts.onEnd();
    });
    const src = openStreamSource(raw.pipe(gunzip), ingest, opts);
    return {
      close() {
        raw.destroy();
        src.close();
      },
      pause: () => src.pause(),
      resume: () => src.resume(),
    };
  }
  return new FollowedFile(path, ingest, opts);
}

/** How many bytes before the read offset are kept to recognise the file on the next poll. */
const TAIL_CHECK = 256;

/** Reads a plain file and, with `follow`, what is appended to it. Each poll compares the file with
 * what was read: a new inode (replaced by a rename), a size below the read offset (truncated), or
 * different bytes just before the offset (rewritten in place, even if it grew past the old size) all
 * mean a different file, which is read again from the start into a fresh Ingest (onRestart). */
class FollowedFile implements Source {
  private ingest: Ingest;
  private closed = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private paused = false;
  private stream: Readable | null = null;
  private inode = -1;
  private mtimeMs = -1;
  /** The last bytes read (up to TAIL_CHECK), ending at ingest.bytes. */
  private tail: Buffer = Buffer.alloc(0);
  // A file that stops growing in the middle of a line: after a quiet second, show that line anyway
  // (a trace cut short, a writer that never ends with a newline).
  private quietSince = Date.now();

  constructor(
    private readonly path: string,
    firstIngest: Ingest,
    private readonly opts: SourceOptions,
  ) {
    this.ingest = firstIngest;
    // The identity of the file being read: taken before the first byte, so a rename during the first
    // read is seen on the first poll.
    fsp
      .stat(path)
      .then((st) => {
        if (this.inode === -1) {
          this.inode = st.ino;
          this.mtimeMs = st.mtimeMs;
        }
      })
      .catch(() => undefined);
    // From where the ingest has got to: a head of the file may have been parsed already (first-frame.ts).
    this.read(this.ingest.bytes, () => this.firstReadDone());
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.stream?.destroy();
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  /** The whole file as it was is read: follow it from here, or end the input. */
  private firstReadDone(): void {
    const opts = this.opts;
    if (opts.follow) {
      opts.onData();
      opts.onCaughtUp?.();
      this.timer = setInterval(() => void this.poll(), opts.pollMs ?? 300);
    } else {
      this.ingest.end();
      opts.onData();
      opts.onEnd();
    }
  }

  private keepTail(chunk: Buffer): void {
    this.tail = chunk.length >= TAIL_CHECK ? chunk.subarray(chunk.length - TAIL_CHECK) : Buffer.concat([this.tail, chunk]).subarray(-TAIL_CHECK);
  }

  /** Reads from `start` to the current end into the current ingest; `onDone` unless closed or restarted meanwhile. */
  private read(start: number, onDone: () => void): void {
    this.reading = true;
    const s = createReadStream(this.path, { start, highWaterMark: this.opts.chunkBytes ?? CHUNK });
    this.stream = s;
    if (this.paused) s.pause();
    const target = this.ingest;
    s.on("data", (chunk: Buffer | string) => {
      if (this.closed || target !== this.ingest) return;
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      this.keepTail(b);
      this.ingest.push(b);
      this.opts.onData();
    });
    s.on("error", (err: Error) => {
      this.reading = false;
      this.opts.onError(err.message);
    });
    s.on("end", () => {
      this.reading = false;
      if (!this.closed && target === this.ingest) onDone();
    });
  }

  /** True when the bytes before the read offset are still the ones read (same file, appended to). */
  private async sameTail(): Promise<boolean> {
    const tail = this.tail;
    if (tail.length === 0) return true;
    const fh = await fsp.open(this.path, "r");
    try {
      const b = Buffer.alloc(tail.length);
      const { bytesRead } = await fh.read(b, 0, tail.length, this.ingest.bytes - tail.length);
      return bytesRead === tail.length && b.equals(tail);
    } finally {
      await fh.close();
    }
  }

  private restart(reason: string): void {
    if (!this.opts.onRestart) {
      this.stopped = true;
      this.opts.onError(`${reason}; stopped following`);
      return;
    }
    this.ingest = this.opts.onRestart(reason);
    this.tail = Buffer.alloc(0);
    this.quietSince = Date.now();
    this.read(0, () => undefined);
  }

  /** How the file differs from what was read (null: the same file, perhaps grown); throws if it is gone. */
  private async changeOf(st: Awaited<ReturnType<typeof fsp.stat>>): Promise<string | null> {
    if (this.inode !== -1 && st.ino !== this.inode) return "file replaced";
    if (st.size < this.ingest.bytes) return "file truncated";
    if (st.mtimeMs !== this.mtimeMs && !(await this.sameTail())) return "file rewritten";
    return null;
  }

  private async poll(): Promise<void> {
    if (this.closed || this.reading || this.stopped || this.paused) return;
    this.reading = true; // no second poll while this one awaits
    let st: Awaited<ReturnType<typeof fsp.stat>>;
    let changed: string | null = null;
    try {
      st = await fsp.stat(this.path);
      changed = await this.changeOf(st);
    } catch {
      this.reading = false;
      return; // gone for a moment (a rename in progress): look again next time
    }
    this.reading = false;
    if (this.closed) return;
    this.inode = st.ino;
    this.mtimeMs = st.mtimeMs;
    if (changed !== null) return this.restart(`${changed}: reading it again from the start`);
    if (st.size <= this.ingest.bytes) {
      if (Date.now() - this.quietSince >= (this.opts.partialFlushMs ?? 1000) && this.ingest.flushPartial()) this.opts.onData();
      return;
    }
    this.quietSince = Date.now();
    this.read(this.ingest.bytes, () => this.opts.onCaughtUp?.());
  }
}

/** Reads a stream (stdin pipe) to its end. */
export function openStreamSource(stream: Readable, ingest: Ingest, opts: SourceOptions): Source {
  pump(stream, ingest, opts, () => {
    ingest.end();
    opts.onData();
    opts.onEnd();
  });
  return {
    close() {
      stream.pause();
    },
    pause: () => stream.pause(),
    resume: () => stream.resume(),
  };
}
