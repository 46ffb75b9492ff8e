// Splits a byte stream into lines, bounded: a line longer than MAX_LINE_CHARS is cut, the rest of it
// skipped up to its newline, and a marker says how much was dropped. A binary file or a single 1 GB
// line therefore costs at most MAX_LINE_CHARS of memory per line. Each chunk is decoded once and
// lines are slices of it (cheaper than decoding every line from bytes).
import { StringDecoder } from "node:string_decoder";
import { MAX_LINE_CHARS } from "./sanitize.js";

export type LineSink = (line: string) => void;

export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending: string[] = [];
  private pendingLen = 0;
  private dropped = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly maxChars: number = MAX_LINE_CHARS,
  ) {}

  /** Feeds a chunk; calls the sink once per complete line. */
  push(chunk: Buffer): void {
    this.pushText(this.decoder.write(chunk));
  }

  pushText(text: string): void {
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      const nl = text.indexOf("\n", pos);
      if (nl < 0) {
        this.take(text, pos, n);
        return;
      }
      if (this.pendingLen === 0 && this.dropped === 0 && nl - pos <= this.maxChars) {
        // The common case: a whole line inside this chunk.
        let end = nl;
        if (end > pos && text.charCodeAt(end - 1) === 13) end--; // CRLF
        this.sink(text.slice(pos, end));
      } else {
        this.take(text, pos, nl);
        this.emit();
      }
      pos = nl + 1;
    }
  }

  /** Flushes a final line that had no newline (a partial line at the end of a stream). */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.pushText(rest);
    if (this.pendingLen > 0 || this.dropped > 0) this.emit();
  }

  /** Emits an unfinished line now (a followed file that stopped growing mid-line); what comes next
   * starts a new line. */
  flushPartial(): void {
    if (this.pendingLen > 0 || this.dropped > 0) this.emit();
  }

  /** Characters of an unfinished line held back (a live stream may complete it later). */
  get partialChars(): number {
    return this.pendingLen + this.dropped;
  }

  private take(text: string, start: number, end: number): void {
    const room = this.maxChars - this.pendingLen;
    const len = end - start;
    if (len <= room) {
      if (len > 0) {
        this.pending.push(text.slice(start, end));
        this.pendingLen += len;
      }
      return;
    }
    if (room > 0) {
      this.pending.push(text.slice(start, start + room));
      this.pendingLen += room;
    }
    this.dropped += len - Math.max(room, 0);
  }

  private emit(): void {
    let line = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join("");
    if (this.dropped === 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (this.dropped > 0) line += ` …[line truncated: ${this.dropped} more characters]`;
    this.pending = [];
    this.pendingLen = 0;
    this.dropped = 0;
    this.sink(line);
  }
}
