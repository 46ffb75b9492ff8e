// Splits a byte stream into lines, on "\r\n", "\n" and a lone "\r" (an old Mac file, a progress bar),
// bounded: a line longer than MAX_LINE_CHARS is cut, the rest of it skipped up to its line end, and a
// marker says how much was dropped. A binary file or a single 1 GB line therefore costs at most
// MAX_LINE_CHARS of memory.
//
// The stream plumbing is split2's (UTF-8 decoding across chunks, the unfinished last line carried to
// the next chunk). Two things are ours, passed to it as its matcher and mapper:
//  - the matcher splits with indexOf rather than a regex over the whole chunk, and owns the length
//    cap: split2's own maxLength either errors the stream or (skipOverflow) drops an over-long line
//    without a trace, and our rule is "cut and say so". maxLength is still set, above our cap, as a
//    backstop that never fires while the matcher keeps the carried line under the cap;
//  - the mapper hands each line to the sink and returns nothing, so no line goes through the stream's
//    object queue (that costs more than the splitting itself).
// A "\r" at the very end of what has arrived may be the first half of "\r\n": it is kept with the
// unfinished line until the next byte shows which.
import split2 from "split2";
import type { Transform } from "node:stream";
import { MAX_LINE_CHARS } from "./sanitize.js";

export type LineSink = (line: string) => void;

const LF = 10;
const CR = 13;

/** The splitting rule split2 calls as `buffer.split(matcher)`: returns the complete lines, then the
 * unfinished rest (which split2 carries and prepends to the next chunk). */
class LineMatcher {
  /** Characters of the current line dropped past the cap so far (0: not over the cap). */
  dropped = 0;
  /** Length of the unfinished line held by split2 after the last split. */
  partial = 0;

  constructor(private readonly maxChars: number) {}

  [Symbol.split](text: string): string[] {
    const out: string[] = [];
    const n = text.length;
    let pos = 0;
    // The next CR at or after pos (-1: none left). Most text has none: searching for it again from
    // every line would rescan the whole chunk each time, so it is only searched again once passed.
    let cr = text.indexOf("\r");
    for (;;) {
      // Find the next line end: indexOf is much faster than a per-character loop or a regex.
      const lf = text.indexOf("\n", pos);
      if (cr >= 0 && cr < pos) cr = text.indexOf("\r", pos);
      let sep: number;
      if (cr < 0 || (lf >= 0 && lf < cr)) sep = lf;
      else sep = cr;
      if (sep < 0 || (sep === n - 1 && text.charCodeAt(sep) === CR)) {
        // No line end (or a "\r" that may be half of "\r\n"): the rest is the unfinished line.
        let rest = text.slice(pos);
        if (rest.length > this.maxChars) {
          // Keep the first maxChars (and a trailing "\r", so "\r\n" is still recognised).
          const keepCr = rest.charCodeAt(rest.length - 1) === CR;
          this.dropped += rest.length - this.maxChars - (keepCr ? 1 : 0);
          rest = rest.slice(0, this.maxChars) + (keepCr ? "\r" : "");
        }
        out.push(rest);
        this.partial = rest.length + this.dropped;
        return out;
      }
      out.push(this.finish(text.slice(pos, sep)));
      pos = sep + (text.charCodeAt(sep) === CR && text.charCodeAt(sep + 1) === LF ? 2 : 1);
      if (pos >= n) {
        out.push("");
        this.partial = 0;
        return out;
      }
    }
  }

  /** A complete line: cut to the cap, marked if anything was dropped. */
  private finish(line: string): string {
    let l = line;
    if (l.length > this.maxChars) {
      this.dropped += l.length - this.maxChars;
      l = l.slice(0, this.maxChars);
    }
    if (this.dropped > 0) {
      l += ` …[line truncated: ${this.dropped} more characters]`;
      this.dropped = 0;
    }
    return l;
  }
}

export class LineSplitter {
  private readonly matcher: LineMatcher;
  private readonly stream: Transform;
  private readonly sink: LineSink;
  /** The last chunk ended inside a UTF-8 sequence. */
  private midChar = false;

  constructor(sink: LineSink, maxChars: number = MAX_LINE_CHARS) {
    this.sink = sink;
    this.matcher = new LineMatcher(maxChars);
    this.stream = split2(
      this.matcher,
      (line: string) => {
        this.sink(line);
        return undefined;
      },
      { maxLength: maxChars * 2 + 16, skipOverflow: true },
    );
  }

  /** Feeds a chunk; calls the sink once per complete line, before returning. */
  push(chunk: Buffer): void {
    // split2's transform runs synchronously inside write(): nothing is queued (the mapper returns
    // nothing, so the readable side stays empty and never applies backpressure).
    if (chunk.length === 0) return;
    this.midChar = endsMidChar(chunk);
    this.stream.write(chunk);
  }

  pushText(text: string): void {
    this.push(Buffer.from(text, "utf8"));
  }

  /** Flushes a final line that had no line end (a partial line at the end of a stream). */
  end(): void {
    this.flushPartial();
  }

  /** Emits an unfinished line now (a followed file that stopped growing mid-line); what comes next
   * starts a new line. */
  flushPartial(): void {
    if (this.matcher.partial === 0 && !this.midChar) return;
    // A line end of our own ends the carried line; it also completes a "\r" held back as a possible
    // "\r\n", and makes the decoder show a cut-off UTF-8 sequence as U+FFFD rather than hold it.
    this.midChar = false;
    this.stream.write(NEWLINE);
  }

  /** Characters of an unfinished line held back (a live stream may complete it later). */
  get partialChars(): number {
    return this.matcher.partial + (this.midChar ? 1 : 0);
  }
}

const NEWLINE = Buffer.from("\n");

/** Does the chunk end inside a UTF-8 sequence (bytes the decoder holds until the next chunk)? */
function endsMidChar(b: Buffer): boolean {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (c < 0x80) return false;
    const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return len > k;
  }
  return false;
}
