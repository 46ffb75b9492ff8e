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
  /** The encoded command of each entry, computed once: used for persistence and batch sizing. */
  private encoded: Uint8Array[] = [];

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
  encodedAt(index: number): Uint8Array {
    const b = this.encoded[index - this._snapshotIndex - 1];
    assert(b !== undefined, `encoded entry ${index} requested outside (${this._snapshotIndex}, ${this.lastIndex()}]`);
    return b;
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
    this.encoded.push(encoded ?? encodeValue(command));
    return this.lastIndex();
  }
  /** Deletes the entry at `index` and all that follow it (Figure 2, AppendEntries rule 3). */
  truncateFrom(index: number): void {
    assert(index > this._snapshotIndex, `truncating at ${index}, inside the snapshot (${this._snapshotIndex})`);
    const keep = index - this._snapshotIndex - 1;
    if (keep < this.entries.length) {
      this.entries.length = keep;
      this.encoded.length = keep;
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
    this.encoded = this.encoded.slice(drop);
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
    this.encoded = [];
    this._snapshotIndex = index;
    this._snapshotTerm = term;
  }
  /** Restores the exact state decoded from stable storage. */
  restore(snapshotIndex: number, snapshotTerm: number, entries: Entry[], encoded: Uint8Array[]): void {
    assert(entries.length === encoded.length, "restored entries and encodings differ in count");
    this._snapshotIndex = snapshotIndex;
    this._snapshotTerm = snapshotTerm;
    this.entries = entries;
    this.encoded = encoded;
  }
}
