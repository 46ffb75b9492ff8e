// Splits a byte stream into lines, bounded: a line longer than MAX_LINE_BYTES is cut, the rest of it
// skipped up to its newline, and a marker says how much was dropped. A binary file or a single 1 GB
// line therefore costs at most MAX_LINE_BYTES of memory per line.
import { MAX_LINE_BYTES } from "./sanitize.js";

export type LineSink = (line: string) => void;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private dropped = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxBytes: number = MAX_LINE_BYTES,
  ) {}

  /** Feeds a chunk; calls the sink once per complete line. */
  push(chunk: Buffer): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? n : nl;
      this.take(chunk, pos, end);
      if (nl < 0) return;
      this.emit();
      pos = nl + 1;
    }
  }

  /** Flushes a final line that had no newline (a partial line at the end of a stream). */
  end(): void {
    if (this.pendingLen > 0 || this.dropped > 0) this.emit();
  }

  /** Bytes of an unfinished line held back (a live stream may complete it later). */
  get partialBytes(): number {
    return this.pendingLen + this.dropped;
  }

  private take(chunk: Buffer, start: number, end: number): void {
    const room = this.maxBytes - this.pendingLen;
    const len = end - start;
    if (len <= room) {
      if (len > 0) {
        this.pending.push(chunk.subarray(start, end));
        this.pendingLen += len;
      }
      return;
    }
    if (room > 0) {
      this.pending.push(chunk.subarray(start, start + room));
      this.pendingLen += room;
    }
    this.dropped += len - Math.max(room, 0);
  }

  private emit(): void {
    let buf: Buffer;
    if (this.pending.length === 1) buf = this.pending[0] as Buffer;
    else buf = Buffer.concat(this.pending, this.pendingLen);
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13 && this.dropped === 0) end--; // CRLF
    let line = buf.toString("utf8", 0, end);
    if (this.dropped > 0) line += ` …[line truncated: ${this.dropped} more bytes]`;
    this.pending = [];
    this.pendingLen = 0;
    this.dropped = 0;
    this.sink(line);
  }
}
