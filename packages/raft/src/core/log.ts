// The replicated log with a snapshot offset (§7). Indices are 1-based as in the paper; the entries at
// and below `snapshotIndex` have been compacted into the snapshot, and only their last term is kept
// (`snapshotTerm`), which is all the consistency check needs for index `snapshotIndex`.

import type { Value } from "../api.js";
import { encodeValue } from "../codec.js";
import { assert } from "./assert.js";
import type { Entry } from "./types.js";

export class RaftLog {
  private _snapshotIndex = 0;
  private _snapshotTerm = 0;
  /** entries[k] holds index snapshotIndex + 1 + k. */
  private entries: Entry[] = [];
  /**
   * The persisted form of the entries, kept up to date as the log changes so that persisting is one
   * copy instead of re-encoding the whole log: per entry, varint term, varint length, then
   * encodeValue(command) (the layout persist.ts documents). ends[k] is the offset just after entry k.
   */
  private records: Uint8Array = new Uint8Array(256);
  private used = 0;
  private ends: number[] = [];

  get snapshotIndex(): number {
    return this._snapshotIndex;
  }
  get snapshotTerm(): number {
    return this._snapshotTerm;
  }
  /** Number of entries held (not compacted). */
  get length(): number {
    return this.entries.length;
  }
  lastIndex(): number {
    return this._snapshotIndex + this.entries.length;
  }
  lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this._snapshotTerm : last.term;
  }
  /** The term at `index`, or undefined if it is compacted away (below the snapshot) or beyond the end. */
  termAt(index: number): number | undefined {
    if (index === this._snapshotIndex) return this._snapshotTerm;
    return this.entries[index - this._snapshotIndex - 1]?.term;
  }
  /** The entry at `index`; it must be held (above the snapshot, at most lastIndex). */
  entry(index: number): Entry {
    const e = this.entries[index - this._snapshotIndex - 1];
    assert(e !== undefined, `log entry ${index} requested outside (${this._snapshotIndex}, ${this.lastIndex()}]`);
    return e;
  }
  /** The persisted size in bytes of the entry at `index` (its term, length and encoded command). */
  recordSize(index: number): number {
    const k = index - this._snapshotIndex - 1;
    const end = this.ends[k];
    assert(end !== undefined, `entry ${index} requested outside (${this._snapshotIndex}, ${this.lastIndex()}]`);
    return end - (k === 0 ? 0 : (this.ends[k - 1] as number));
  }
  /** The persisted records of all entries held, in order (a view: copy it before the log changes). */
  recordBytes(): Uint8Array {
    return this.records.subarray(0, this.used);
  }
  private writeRecord(term: number, encoded: Uint8Array): void {
    const need = this.used + 16 + encoded.length;
    if (need > this.records.length) {
      let cap = this.records.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.records.subarray(0, this.used));
      this.records = next;
    }
    const buf = this.records;
    let pos = this.used;
    for (let n = term; ; ) {
      if (n < 0x80) {
        buf[pos++] = n;
        break;
      }
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    for (let n = encoded.length; ; ) {
      if (n < 0x80) {
        buf[pos++] = n;
        break;
      }
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf.set(encoded, pos);
    pos += encoded.length;
    this.used = pos;
    this.ends.push(pos);
  }
  /** Drops the first `drop` records, moving the rest to a fresh buffer. */
  private dropRecords(drop: number): void {
    if (drop === 0) return;
    const cut = drop >= this.ends.length ? this.used : (this.ends[drop - 1] as number);
    const rest = this.records.subarray(cut, this.used);
    const next = new Uint8Array(Math.max(256, rest.length * 2));
    next.set(rest);
    this.records = next;
    this.used = rest.length;
    this.ends = this.ends.slice(drop).map((e) => e - cut);
  }
  /** The first index in (snapshotIndex, lastIndex] whose term is `term`, searching down from `from`. */
  firstIndexOfTerm(term: number, from: number): number {
    let i = from;
    while (i - 1 > this._snapshotIndex && this.termAt(i - 1) === term) i--;
    return i;
  }
  /** The last index holding `term`, or -1 (binary search: terms never decrease along the log). */
  lastIndexOfTerm(term: number): number {
    let lo = 0;
    let hi = this.entries.length; // first position with entry.term > term
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).term <= term) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return this._snapshotTerm === term && this._snapshotIndex > 0 ? this._snapshotIndex : -1;
    return (this.entries[lo - 1] as Entry).term === term ? this._snapshotIndex + lo : -1;
  }
  append(term: number, command: Value, encoded?: Uint8Array): number {
    assert(term >= this.lastTerm(), `appending term ${term} after term ${this.lastTerm()} (log terms must not decrease)`);
    this.entries.push({ term, command });
    this.writeRecord(term, encoded ?? encodeValue(command));
    return this.lastIndex();
  }
  /** Deletes the entry at `index` and all that follow it (Figure 2, AppendEntries rule 3). */
  truncateFrom(index: number): void {
    assert(index > this._snapshotIndex, `truncating at ${index}, inside the snapshot (${this._snapshotIndex})`);
    const keep = index - this._snapshotIndex - 1;
    if (keep < this.entries.length) {
      this.entries.length = keep;
      this.ends.length = keep;
      this.used = keep === 0 ? 0 : (this.ends[keep - 1] as number);
    }
  }
  /** Entries (from, to], for an AppendEntries batch. */
  slice(from: number, to: number): Entry[] {
    return this.entries.slice(from - this._snapshotIndex, to - this._snapshotIndex);
  }
  /**
   * Drops everything up to and including `index`, which becomes the snapshot point (§7). `index` must
   * be held in the log (the service snapshots only what Raft applied).
   */
  compactTo(index: number): void {
    const term = this.termAt(index);
    assert(term !== undefined && index > this._snapshotIndex, `compacting to ${index}, not in the log`);
    const drop = index - this._snapshotIndex;
    this.entries = this.entries.slice(drop);
    this.dropRecords(drop);
    this._snapshotIndex = index;
    this._snapshotTerm = term;
  }
  /**
   * Installs a snapshot ending at (index, term): if the log holds a matching entry at `index`, the
   * entries after it are kept (§7: "If existing log entry has same index and term as snapshot's last
   * included entry, retain log entries following it"); otherwise the whole log is discarded.
   */
  installSnapshot(index: number, term: number): void {
    assert(index > this._snapshotIndex, `installing snapshot ${index} not past ${this._snapshotIndex}`);
    if (index <= this.lastIndex() && this.termAt(index) === term) {
      this.compactTo(index);
      return;
    }
    this.entries = [];
    this.dropRecords(this.ends.length);
    this._snapshotIndex = index;
    this._snapshotTerm = term;
  }
  /** Restores the exact state decoded from stable storage. */
  restore(snapshotIndex: number, snapshotTerm: number, entries: Entry[], encoded: Uint8Array[]): void {
    assert(entries.length === encoded.length, "restored entries and encodings differ in count");
    this._snapshotIndex = snapshotIndex;
    this._snapshotTerm = snapshotTerm;
    this.entries = entries;
    this.records = new Uint8Array(256);
    this.used = 0;
    this.ends = [];
    for (let k = 0; k < entries.length; k++) this.writeRecord((entries[k] as Entry).term, encoded[k] as Uint8Array);
  }
}
