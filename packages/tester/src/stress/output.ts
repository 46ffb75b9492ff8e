// An iteration's output, bounded: the bytes are kept in a tail buffer (the last `cap` bytes; a command
// that prints gigabytes keeps its end, where the failure is, and the cut is counted), and split into
// lines for the parser as they arrive, so the parser sees every line even when the text is cut.

import { StringDecoder } from "node:string_decoder";

/** Keeps the last `cap` bytes of a stream; counts what it dropped. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes dropped from the front. */
  dropped = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.cap) {
      this.dropped += this.size + chunk.length - this.cap;
      this.chunks = [chunk.subarray(chunk.length - this.cap)];
      this.size = this.cap;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.size - this.cap;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  /** Total bytes seen. */
  get total(): number {
    return this.size + this.dropped;
  }

  /**
   * The kept text. After a cut it starts at the first whole line (a cut in the middle of a line or of a
   * UTF-8 sequence is not kept), and the bytes skipped for that are counted as dropped. With
   * `wholeTests` (`go test -v` output, --split-tests) it starts at the first top-level `=== RUN` line
   * after the cut instead, so that every test in the saved output has its whole section (its `=== RUN`,
   * its output, its `--- FAIL`/`--- PASS`), as logviz splits it; a test whose section alone is longer
   * than the cap keeps its tail, from a whole line.
   */
  text(wholeTests = false): { text: string; dropped: number } {
    let buf = Buffer.concat(this.chunks);
    let dropped = this.dropped;
    if (dropped > 0) {
      const nl = buf.indexOf(10);
      let skip = nl < 0 ? buf.length : nl + 1;
      if (wholeTests) {
        const run = firstTestStart(buf, skip);
        if (run >= 0) skip = run;
      }
      buf = buf.subarray(skip);
      dropped += skip;
    }
    return { text: buf.toString("utf8"), dropped };
  }
}

const TEST_START = Buffer.from("\n=== RUN ");

/** Offset of the first top-level `=== RUN   TestX` line at or after `from` (a line start), or -1. */
function firstTestStart(buf: Buffer, from: number): number {
  for (let at = buf.indexOf(TEST_START, from - 1); at >= 0; at = buf.indexOf(TEST_START, at + 1)) {
    const start = at + 1;
    const end = buf.indexOf(10, start);
    const line = buf.subarray(start, end < 0 ? buf.length : end).toString("utf8");
    if (/^=== RUN\s+[^\s/]+\s*$/.test(line)) return start;
  }
  return -1;
}

/** Longest line handed to the parser; a longer one is handed over in pieces of this size. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Splits a byte stream into lines (without their `\n` or `\r\n`), decoding UTF-8 across chunks. */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    while (this.partial.length > MAX_LINE_CHARS) {
      this.onLine(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest !== "") this.emit(rest);
  }

  private emit(line: string): void {
    const l = line.endsWith("\r") ? line.slice(0, -1) : line;
    for (let i = 0; i < l.length || i === 0; i += MAX_LINE_CHARS) this.onLine(l.slice(i, i + MAX_LINE_CHARS));
  }
}
