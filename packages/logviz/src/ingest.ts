// Feeds bytes from a file or a pipe into the store, in chunks, yielding to the event loop between
// chunks so the first screen shows while a big file is still being read.
import { closeSync, createReadStream, openSync, promises as fsp, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { LineSplitter } from "./lines.js";
import { newParserState, parseLineInto, type ParserState } from "./parse.js";
import { LogStore } from "./store.js";

export class Ingest {
  readonly state: ParserState = newParserState();
  private readonly splitter: LineSplitter;
  /** Bytes consumed so far (a growing file resumes from here). */
  bytes = 0;
  /** True once the input has ended (EOF of a stream; for a followed file, never). */
  ended = false;
  constructor(readonly store: LogStore) {
    this.splitter = new LineSplitter((line) => parseLineInto(this.store, this.state, line));
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
  readonly onError: (message: string) => void;
  /** A followed file quiet for this long shows its unfinished last line, ms (default 1000). */
  readonly partialFlushMs?: number;
  /** Poll interval for a followed file, ms. */
  readonly pollMs?: number;
}

export interface Source {
  close(): void;
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
function isGzip(path: string): boolean {
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

/** Reads a file; with `follow`, keeps reading what is appended (like tail -f). A gzip file
 * (a compressed saved trace) is decompressed on the fly and not followed. */
export function openFileSource(path: string, ingest: Ingest, opts: SourceOptions): Source {
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
    };
  }
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let reading = false;
  // A file that stops growing in the middle of a line: after a quiet second, show that line anyway
  // (a trace cut short, a writer that never ends with a newline).
  let quietSince = Date.now();
  const poll = (): void => {
    if (closed || reading) return;
    fsp
      .stat(path)
      .then((st) => {
        if (closed) return;
        if (st.size <= ingest.bytes) {
          if (Date.now() - quietSince >= (opts.partialFlushMs ?? 1000) && ingest.flushPartial()) opts.onData();
          return;
        }
        quietSince = Date.now();
        reading = true;
        const s = createReadStream(path, { start: ingest.bytes, highWaterMark: CHUNK });
        pump(s, ingest, opts, () => {
          reading = false;
        });
      })
      .catch(() => undefined);
  };
  const first = createReadStream(path, { highWaterMark: CHUNK });
  pump(first, ingest, opts, () => {
    if (closed) return;
    if (opts.follow) {
      opts.onData();
      timer = setInterval(poll, opts.pollMs ?? 300);
    } else {
      ingest.end();
      opts.onData();
      opts.onEnd();
    }
  });
  return {
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      first.destroy();
    },
  };
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
  };
}
