// The store's overflow: the text of old rows in a temporary file, read back when a row is drawn, searched
// or opened. A row's text and input line are most of what it costs (about 300 bytes against ~31 in the
// typed columns), so a finite input far longer than the memory budget keeps every row: the columns stay
// in memory, the strings of all but the newest rows go here.
//
// Clean-up on every exit path: the file is unlinked (and its folder removed) right after it is opened,
// so the kernel frees it when the descriptor closes — on exit, on a signal, even on SIGKILL. Where an
// open file cannot be unlinked (Windows), it is removed on process exit instead.
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Rows read back together: a screen or a search touches neighbours, so one read serves many rows. */
const BLOCK_ROWS = 256;
/** Blocks kept decoded (LRU): 64 blocks of 256 rows, a few screens around each place looked at. */
const CACHED_BLOCKS = 64;

export class SpillFile {
  private fd: number;
  private path: string | null;
  private size = 0;
  /** Row k (0-based, in spill order) starts at offsets[k]; its text is textBytes[k] bytes, then its json. */
  private offsets = new Float64Array(1 << 12);
  private textBytes = new Uint32Array(1 << 12);
  private jsonBytes = new Uint32Array(1 << 12);
  /** Rows written so far; `first` of them are gone (dropped by the store). */
  count = 0;
  first = 0;
  private readonly cache = new Map<number, { text: string[]; json: string[] }>();
  private readonly onExit = (): void => this.close();

  constructor(dir: string = tmpdir()) {
    const folder = mkdtempSync(join(dir, "logviz-spill-"));
    const path = join(folder, "rows");
    this.fd = openSync(path, "w+", 0o600);
    try {
      unlinkSync(path);
      rmSync(folder, { recursive: true, force: true });
      this.path = null;
    } catch {
      this.path = folder;
      process.on("exit", this.onExit);
    }
  }

  /** Appends rows (in store order); returns nothing: row k of the spill is the k-th row ever appended. */
  append(texts: readonly string[], jsons: readonly string[]): void {
    const n = texts.length;
    this.ensure(this.count + n);
    // The last block may be cached half full: it grows now.
    this.cache.delete(Math.floor(this.count / BLOCK_ROWS));
    const parts: Buffer[] = [];
    let at = this.size;
    for (let i = 0; i < n; i++) {
      const t = Buffer.from(texts[i] ?? "", "utf8");
      const j = Buffer.from(jsons[i] ?? "", "utf8");
      const k = this.count + i;
      this.offsets[k] = at;
      this.textBytes[k] = t.length;
      this.jsonBytes[k] = j.length;
      parts.push(t, j);
      at += t.length + j.length;
    }
    const buf = Buffer.concat(parts);
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.size + done);
    this.size = at;
    this.count += n;
  }

  /** The text and input line of spill row k (k >= first). */
  text(k: number): string {
    return this.block(k).text[k % BLOCK_ROWS] ?? "";
  }
  json(k: number): string {
    return this.block(k).json[k % BLOCK_ROWS] ?? "";
  }

  /**
   * The store dropped its oldest rows: spill rows below `first` are never read again. Once they are half
   * the file, the live rows move to its start (amortised: each row moves at most once per doubling), so
   * a stream that outgrows the store keeps a file no larger than about twice the live rows.
   */
  forget(first: number): void {
    this.first = Math.min(Math.max(this.first, first), this.count);
    if (this.first * 2 < this.count && this.first < this.count) return;
    const from = this.first < this.count ? (this.offsets[this.first] as number) : this.size;
    const live = this.size - from;
    const chunk = Buffer.alloc(Math.min(Math.max(live, 1), 1 << 20));
    for (let done = 0; done < live;) {
      const r = readSync(this.fd, chunk, 0, Math.min(chunk.length, live - done), from + done);
      if (r === 0) break;
      writeSync(this.fd, chunk, 0, r, done);
      done += r;
    }
    ftruncateSync(this.fd, live);
    const n = this.count - this.first;
    this.offsets.copyWithin(0, this.first, this.count);
    this.textBytes.copyWithin(0, this.first, this.count);
    this.jsonBytes.copyWithin(0, this.first, this.count);
    for (let k = 0; k < n; k++) this.offsets[k] = (this.offsets[k] as number) - from;
    this.size = live;
    this.count = n;
    this.first = 0;
    this.cache.clear();
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    if (this.path !== null) rmSync(this.path, { recursive: true, force: true });
    process.off("exit", this.onExit);
  }

  private block(k: number): { text: string[]; json: string[] } {
    const b = Math.floor(k / BLOCK_ROWS);
    const hit = this.cache.get(b);
    if (hit !== undefined) {
      this.cache.delete(b);
      this.cache.set(b, hit);
      return hit;
    }
    const lo = b * BLOCK_ROWS;
    const hi = Math.min(this.count, lo + BLOCK_ROWS);
    const start = this.offsets[lo] as number;
    const end = hi < this.count ? (this.offsets[hi] as number) : this.size;
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const r = readSync(this.fd, buf, got, buf.length - got, start + got);
      if (r === 0) break;
      got += r;
    }
    const text: string[] = [];
    const json: string[] = [];
    for (let i = lo; i < hi; i++) {
      const at = (this.offsets[i] as number) - start;
      const tl = this.textBytes[i] as number;
      text.push(buf.toString("utf8", at, at + tl));
      json.push(buf.toString("utf8", at + tl, at + tl + (this.jsonBytes[i] as number)));
    }
    const decoded = { text, json };
    this.cache.set(b, decoded);
    if (this.cache.size > CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value as number);
    return decoded;
  }

  private ensure(n: number): void {
    if (n <= this.offsets.length) return;
    let cap = this.offsets.length;
    while (cap < n) cap *= 2;
    const o = new Float64Array(cap);
    o.set(this.offsets);
    const t = new Uint32Array(cap);
    t.set(this.textBytes);
    const j = new Uint32Array(cap);
    j.set(this.jsonBytes);
    this.offsets = o;
    this.textBytes = t;
    this.jsonBytes = j;
  }
}
