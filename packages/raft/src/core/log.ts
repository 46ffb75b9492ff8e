// The replicated log with a snapshot offset (§7). Indices are 1-based as in the paper; the entries at
// and below `snapshotIndex` have been compacted into the snapshot, and only their last term is kept
// (`snapshotTerm`), which is all the consistency check needs for index `snapshotIndex`.

import type { Value } from "../api.js";
import { encodeValue } from "../codec.js";
import { crc32 } from "../crc32.js";
import { assert } from "./assert.js";
import type { Entry } from "./messages.js";

// The persisted state's format constants (persist.ts documents the layout). They stand here because
// the log keeps its records already encoded, behind the same prefix, so a persist costs what changed.
const STATE_MAGIC = 0x52;
/** The layout version; 1 had no checksums and put the header first. */
export const STATE_VERSION = 2;
/** The bytes every persisted state starts with (the log's records buffer starts with them too). */
export const STATE_PREFIX: Uint8Array = Uint8Array.of(STATE_MAGIC, STATE_VERSION);

export class RaftLog {
  private _snapshotIndex = 0;
  private _snapshotTerm = 0;
  /** entries[k] holds index snapshotIndex + 1 + k. */
  private entries: Entry[] = [];
  /**
   * The persisted form of the log, kept up to date as the log changes so that a persist costs what
   * changed, not what the log holds (the layout persist.ts documents): the state's fixed prefix
   * (magic, version), then per entry varint term, varint length, encodeValue(command). ends[k] is the
   * offset just after entry k; crcs[k] the CRC-32 of records[0, ends[k]), so the checksum of a persist
   * extends the last one instead of reading the whole log again.
   */
  private records: Uint8Array = freshRecords(256);
  private used = STATE_PREFIX.length;
  private ends: number[] = [];
  private crcs: number[] = [];

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
    return end - (k === 0 ? STATE_PREFIX.length : (this.ends[k - 1] as number));
  }
  /**
   * The persisted state: the prefix and records kept here, then `trailer`, then the CRC-32 of all of
   * it (little-endian). Costs the trailer and its checksum, whatever the log's length. Returns a view
   * of this log's buffer, valid until the log next changes (the next append overwrites the trailer):
   * save (copy) it at once.
   */
  sealState(trailer: Uint8Array, trailerLength: number): Uint8Array {
    this.ensure(trailerLength + 4);
    const buf = this.records;
    let pos = this.used;
    buf.set(trailer.subarray(0, trailerLength), pos);
    pos += trailerLength;
    const crc = crc32(trailer, this.crcs[this.crcs.length - 1] ?? PREFIX_CRC, 0, trailerLength);
    buf[pos++] = crc & 0xff;
    buf[pos++] = (crc >>> 8) & 0xff;
    buf[pos++] = (crc >>> 16) & 0xff;
    buf[pos++] = crc >>> 24;
    return buf.subarray(0, pos);
  }
  private ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.records.length) return;
    let cap = this.records.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.records.subarray(0, this.used));
    this.records = next;
  }
  private writeRecord(term: number, encoded: Uint8Array): void {
    this.ensure(16 + encoded.length);
    const buf = this.records;
    const start = this.used;
    let pos = start;
    for (let n = term; ;) {
      if (n < 0x80) {
        buf[pos++] = n;
        break;
      }
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    for (let n = encoded.length; ;) {
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
    this.crcs.push(crc32(buf, this.crcs[this.crcs.length - 1] ?? PREFIX_CRC, start, pos));
    this.ends.push(pos);
  }
  /** Drops the first `drop` records, moving the rest to a fresh buffer (and re-checksumming them). */
  private dropRecords(drop: number): void {
    if (drop === 0) return;
    const base = STATE_PREFIX.length;
    const cut = drop >= this.ends.length ? this.used : (this.ends[drop - 1] as number);
    const rest = this.records.subarray(cut, this.used);
    const next = freshRecords(Math.max(256, base + rest.length * 2));
    next.set(rest, base);
    this.records = next;
    this.used = base + rest.length;
    const ends = this.ends.slice(drop);
    const crcs = new Array<number>(ends.length);
    let from = base;
    let crc = PREFIX_CRC;
    for (let k = 0; k < ends.length; k++) {
      const end = (ends[k] as number) - cut + base;
      ends[k] = end;
      crc = crc32(next, crc, from, end);
      crcs[k] = crc;
      from = end;
    }
    this.ends = ends;
    this.crcs = crcs;
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
      this.crcs.length = keep;
      this.used = keep === 0 ? STATE_PREFIX.length : (this.ends[keep - 1] as number);
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
    this.records = freshRecords(256);
    this.used = STATE_PREFIX.length;
    this.ends = [];
    this.crcs = [];
    for (let k = 0; k < entries.length; k++) this.writeRecord((entries[k] as Entry).term, encoded[k] as Uint8Array);
  }
}

/** The CRC-32 of the state's fixed prefix, where every running checksum starts. */
const PREFIX_CRC = crc32(STATE_PREFIX);

/** A records buffer of `capacity` bytes that starts with the state's prefix. */
function freshRecords(capacity: number): Uint8Array {
  const buf = new Uint8Array(capacity);
  buf.set(STATE_PREFIX);
  return buf;
}
