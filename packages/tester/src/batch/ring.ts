// The tail of a run's output and trace, kept where a killed worker cannot take it with it: a byte ring
// in a SharedArrayBuffer that the worker writes and the parent reads after the thread is gone. A run
// stopped by --timeout or --max-memory is usually in a synchronous loop that never yields, so nothing
// the worker meant to flush later would reach the parent; memory the parent shares needs no flush.

/** Header: total bytes ever written (a float64 is exact far beyond any run's output). */
const HEADER_BYTES = 8;

export class SharedTextRing {
  private readonly total: Float64Array;
  private readonly data: Uint8Array;
  private readonly encoder = new TextEncoder();
  /** Reused for every write: a traced run writes one line per trace event, so no allocation per line. */
  private scratch = new Uint8Array(4096);

  constructor(readonly buffer: SharedArrayBuffer) {
    this.total = new Float64Array(buffer, 0, 1);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
  }

  static create(capacityBytes: number): SharedTextRing {
    return new SharedTextRing(new SharedArrayBuffer(HEADER_BYTES + capacityBytes));
  }

  /** Forgets everything (a new run starts). */
  clear(): void {
    this.total[0] = 0;
  }

  write(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (text.length * 3 > this.scratch.length) this.scratch = new Uint8Array(2 ** Math.ceil(Math.log2(text.length * 3)));
    const bytes = this.scratch.subarray(0, this.encoder.encodeInto(text, this.scratch).written);
    const size = this.data.length;
    let written = this.total[0] ?? 0;
    // Only the last `size` bytes of a write larger than the ring can survive.
    let src = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    written += bytes.length - src.length;
    while (src.length > 0) {
      const at = written % size;
      const n = Math.min(src.length, size - at);
      this.data.set(src.subarray(0, n), at);
      src = src.subarray(n);
      written += n;
    }
    this.total[0] = written;
  }

  /**
   * Whole lines, oldest first, and how many bytes were overwritten before them. When the ring wrapped,
   * the first (cut) line is dropped.
   */
  readLines(): { readonly lines: string[]; readonly droppedBytes: number } {
    const written = this.total[0] ?? 0;
    const size = this.data.length;
    let bytes: Uint8Array;
    if (written <= size) bytes = this.data.slice(0, written);
    else {
      const at = written % size;
      bytes = new Uint8Array(size);
      bytes.set(this.data.subarray(at), 0);
      bytes.set(this.data.subarray(0, at), size - at);
    }
    const lines = new TextDecoder().decode(bytes).split("\n");
    if (lines.at(-1) === "") lines.pop();
    let droppedBytes = Math.max(0, written - size);
    if (droppedBytes > 0 && lines.length > 0) {
      droppedBytes += Buffer.byteLength(lines.shift() ?? "");
    }
    return { lines, droppedBytes };
  }
}

/** Per worker: its console output's tail and, when the run is traced, its trace's tail. */
export interface RunRings {
  readonly output: SharedArrayBuffer;
  readonly trace: SharedArrayBuffer;
}

export const OUTPUT_RING_BYTES = 1024 * 1024;
export const TRACE_RING_BYTES = 8 * 1024 * 1024;
