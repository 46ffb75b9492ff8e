// Encoding of the persisted Raft state (currentTerm, votedFor, the log, the boot counter, and what
// binds the snapshot to it). The layout is tight, because 3D requires the state to stay under 2000
// bytes, and it is built so that a persist costs what changed rather than what the log holds: the
// log keeps its records (and a running CRC-32 over them) encoded, and a persist appends only the
// trailer and the checksum. Layout version 2 (all integers unsigned LEB128 varints unless noted):
//
//   byte    magic 0x52 ('R'), byte version (2)
//   records per log entry: varint term, varint length, that many bytes = encodeValue(command)
//   trailer varint currentTerm, votedFor + 1 (0 = none), boot, snapshotIndex, snapshotTerm,
//           entry count, snapshot length; u32 LE CRC-32 of the snapshot's bytes (0 without one)
//   byte    trailer length (from currentTerm through the snapshot CRC)
//   u32 LE  CRC-32 of every byte before it
//
// Decoding checks the checksum first, so any damage is caught before a field is believed (CRC-32
// catches every 1-, 2- and 3-bit error and every burst up to 32 bits in a state this size), then
// validates every field and relation (terms never decrease, votedFor is a peer, nothing trails, the
// snapshot held is the one the state names) and throws a one-line CorruptStateError naming what is
// wrong and where. Terms, indices and the boot counter above MAX_PERSISTED_NUMBER are refused, so
// arithmetic on them (term + 1) stays exact.

import type { Value } from "../api.js";
import { CodecError, decodeValue } from "../codec.js";
import { crc32 } from "../crc32.js";
import { STATE_PREFIX, STATE_VERSION, type RaftLog } from "./log.js";
import type { Entry } from "./messages.js";

/**
 * The largest term, index or boot counter a state may hold: 2^52, far beyond any real run, and with
 * room to add to it without leaving the exactly representable integers (2^53).
 */
export const MAX_PERSISTED_NUMBER = 2 ** 52;
/** Prefix, 7 one-byte varints, the snapshot CRC, the trailer length and the state CRC. */
const MIN_STATE_BYTES = 2 + 7 + 4 + 1 + 4;

export class CorruptStateError extends Error {
  override name = "CorruptStateError";
}

export interface PersistedState {
  readonly currentTerm: number;
  readonly votedFor: number | null;
  /** How many times this peer has started from this storage; makes message ids unique across restarts. */
  readonly boot: number;
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  /** Length and CRC-32 of the snapshot this state goes with (0 and 0 without one). */
  readonly snapshotLength: number;
  readonly snapshotCrc: number;
  readonly entries: Entry[];
  readonly encoded: Uint8Array[];
}

/** The trailer is built here and copied into the log's buffer: a persist allocates nothing. */
const TRAILER_SCRATCH = new Uint8Array(7 * 8 + 4);

/** CRC-32 of each snapshot seen, by identity: a snapshot is checksummed once, not at every persist. */
const snapshotCrcs = new WeakMap<Uint8Array, number>();

/** The CRC-32 of a snapshot's bytes (the core never mutates a snapshot it holds). */
export function snapshotChecksum(snapshot: Uint8Array): number {
  let crc = snapshotCrcs.get(snapshot);
  if (crc === undefined) {
    crc = crc32(snapshot);
    snapshotCrcs.set(snapshot, crc);
  }
  return crc;
}

/**
 * The persisted state for these values, the log and the snapshot held with them. Returns a view of
 * the log's buffer, valid until the log next changes: hand it to the persister (which copies) at once.
 */
export function encodeState(currentTerm: number, votedFor: number | null, boot: number, log: RaftLog, snapshot: Uint8Array | null = null): Uint8Array {
  const t = TRAILER_SCRATCH;
  let pos = 0;
  const varint = (n: number): void => {
    while (n >= 0x80) {
      t[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    t[pos++] = n;
  };
  varint(currentTerm);
  varint(votedFor === null ? 0 : votedFor + 1);
  varint(boot);
  varint(log.snapshotIndex);
  varint(log.snapshotTerm);
  varint(log.length);
  const snapLength = snapshot === null ? 0 : snapshot.length;
  const snapCrc = snapLength === 0 ? 0 : snapshotChecksum(snapshot as Uint8Array);
  varint(snapLength);
  t[pos++] = snapCrc & 0xff;
  t[pos++] = (snapCrc >>> 8) & 0xff;
  t[pos++] = (snapCrc >>> 16) & 0xff;
  t[pos++] = snapCrc >>> 24;
  t[pos] = pos; // the trailer length byte follows the trailer
  return log.sealState(t, pos + 1);
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** Throws the one-line CorruptStateError for a state of `bytes` bytes. */
type Fail = (what: string) => never;

/** The fields of the trailer, as decoded (the entries come from the records before it). */
type Trailer = Omit<PersistedState, "entries" | "encoded"> & { readonly count: number };

/** Reads the state's varints within [pos, limit), failing on a truncated, overlong or too large one. */
class VarintReader {
  constructor(
    readonly bytes: Uint8Array,
    private readonly fail: Fail,
    public pos: number,
    public limit: number,
  ) {}

  varint(what: string): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.limit) this.fail(`truncated: ${what} missing at offset ${this.pos}`);
      const b = this.bytes[this.pos++] as number;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result <= MAX_PERSISTED_NUMBER) return result;
        return this.fail(`${what} ${result} at offset ${start} exceeds ${MAX_PERSISTED_NUMBER} (2^52)`);
      }
      scale *= 0x80;
    }
    return this.fail(`bad varint for ${what} at offset ${start}`);
  }
}

/**
 * Decodes persisted state; `peerCount` bounds votedFor. An empty array means a fresh peer. With
 * `snapshot` (what the persister holds beside the state), also checks that it is the snapshot the
 * state was saved with: its length and CRC-32, and that there is one exactly when the state has a
 * snapshot index. Throws a one-line CorruptStateError.
 */
export function decodeState(bytes: Uint8Array, peerCount: number, snapshot?: Uint8Array): PersistedState {
  if (bytes.length === 0) {
    if (snapshot !== undefined && snapshot.length > 0) {
      throw new CorruptStateError(`corrupt persisted Raft state: no Raft state is stored beside a ${snapshot.length}-byte snapshot`);
    }
    return { currentTerm: 0, votedFor: null, boot: 0, snapshotIndex: 0, snapshotTerm: 0, snapshotLength: 0, snapshotCrc: 0, entries: [], encoded: [] };
  }
  const fail: Fail = (what) => {
    throw new CorruptStateError(`corrupt persisted Raft state (${bytes.length} bytes): ${what}`);
  };
  checkFrame(bytes, fail);
  const trailerEnd = bytes.length - 5;
  const trailerStart = trailerEnd - (bytes[trailerEnd] as number);
  if (trailerStart < STATE_PREFIX.length) fail(`trailer length ${bytes[trailerEnd] as number} at offset ${trailerEnd} exceeds the state`);
  const reader = new VarintReader(bytes, fail, trailerStart, trailerEnd);
  const { count, ...fields } = decodeTrailer(reader, peerCount, fail);
  if (snapshot !== undefined) checkSnapshot(fields, snapshot, fail);
  // The records, between the prefix and the trailer.
  reader.pos = STATE_PREFIX.length;
  reader.limit = trailerStart;
  const { entries, encoded } = decodeRecords(reader, fields, count, fail);
  return { ...fields, entries, encoded };
}

/** The magic byte, the layout version, the minimum length and the checksum: nothing is believed before these hold. */
function checkFrame(bytes: Uint8Array, fail: Fail): void {
  const n = bytes.length;
  if (bytes[0] !== STATE_PREFIX[0]) fail(`bad magic byte 0x${(bytes[0] as number).toString(16)} at offset 0 (expected 0x52)`);
  if (n >= 2 && bytes[1] !== STATE_VERSION) fail(`unsupported layout version ${bytes[1] as number} at offset 1 (expected ${STATE_VERSION})`);
  if (n < MIN_STATE_BYTES) fail(`truncated: ${n} bytes is shorter than any state (${MIN_STATE_BYTES})`);
  const stored = readU32(bytes, n - 4);
  const actual = crc32(bytes, 0, 0, n - 4);
  if (stored !== actual) fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the state was damaged or cut short`);
}

/** The trailer's fields (the reader spans the trailer), each checked alone and against the others. */
function decodeTrailer(reader: VarintReader, peerCount: number, fail: Fail): Trailer {
  const currentTerm = reader.varint("currentTerm");
  const votedRaw = reader.varint("votedFor");
  if (votedRaw > peerCount) fail(`votedFor ${votedRaw - 1} is not a peer (there are ${peerCount})`);
  const votedFor = votedRaw === 0 ? null : votedRaw - 1;
  const boot = reader.varint("boot counter");
  const snapshotIndex = reader.varint("snapshotIndex");
  const snapshotTerm = reader.varint("snapshotTerm");
  if (snapshotTerm > currentTerm) fail(`snapshotTerm ${snapshotTerm} exceeds currentTerm ${currentTerm}`);
  if (snapshotIndex === 0 && snapshotTerm !== 0) fail(`snapshotTerm ${snapshotTerm} without a snapshot`);
  const count = reader.varint("entry count");
  const snapshotLength = reader.varint("snapshot length");
  const trailerEnd = reader.limit;
  if (reader.pos + 4 !== trailerEnd) {
    const trailerLength = reader.bytes[trailerEnd] as number;
    fail(`trailer of ${trailerLength} bytes at offset ${trailerEnd - trailerLength} does not end where its length says`);
  }
  const snapshotCrc = readU32(reader.bytes, reader.pos);
  if ((snapshotIndex === 0) !== (snapshotLength === 0)) {
    fail(snapshotIndex === 0 ? `a ${snapshotLength}-byte snapshot without a snapshot index` : `snapshot index ${snapshotIndex} without snapshot bytes`);
  }
  if (snapshotLength === 0 && snapshotCrc !== 0) fail(`snapshot checksum ${hex(snapshotCrc)} without a snapshot`);
  return { currentTerm, votedFor, boot, snapshotIndex, snapshotTerm, snapshotLength, snapshotCrc, count };
}

/** The snapshot stored beside the state is the one the state was saved with: its length and CRC-32. */
function checkSnapshot(t: Omit<Trailer, "count">, snapshot: Uint8Array, fail: Fail): void {
  if (snapshot.length !== t.snapshotLength) {
    if (t.snapshotLength === 0) fail(`a ${snapshot.length}-byte snapshot is stored, but the state has none`);
    if (snapshot.length === 0) fail(`the log starts after snapshot index ${t.snapshotIndex} but no snapshot is stored`);
    fail(`the state goes with a ${t.snapshotLength}-byte snapshot, but ${snapshot.length} bytes are stored`);
  }
  const crc = t.snapshotLength === 0 ? 0 : crc32(snapshot);
  if (crc !== t.snapshotCrc) {
    const expected = hex(t.snapshotCrc);
    fail(`snapshot checksum mismatch (the state expects ${expected}, the stored snapshot is ${hex(crc)}): the snapshot was damaged or is not this state's`);
  }
}

/** The log's records (the reader spans them): terms never decrease nor pass currentTerm, commands decode, nothing trails. */
function decodeRecords(reader: VarintReader, t: Omit<Trailer, "count">, count: number, fail: Fail): { entries: Entry[]; encoded: Uint8Array[] } {
  const bytes = reader.bytes;
  // Every entry takes at least three bytes, which bounds the count by what is there.
  if (count * 3 > reader.limit - reader.pos) fail(`entry count ${count} exceeds what ${reader.limit - reader.pos} bytes can hold`);
  const entries: Entry[] = new Array<Entry>(count);
  const encoded: Uint8Array[] = new Array<Uint8Array>(count);
  let prevTerm = t.snapshotTerm;
  for (let k = 0; k < count; k++) {
    const index = t.snapshotIndex + 1 + k;
    const term = reader.varint(`term of entry ${index}`);
    if (term < prevTerm) fail(`entry ${index} has term ${term} after term ${prevTerm} (terms must not decrease)`);
    if (term > t.currentTerm) fail(`entry ${index} has term ${term} above currentTerm ${t.currentTerm}`);
    prevTerm = term;
    const len = reader.varint(`length of entry ${index}`);
    const pos = reader.pos;
    if (pos + len > reader.limit) fail(`truncated: entry ${index} needs ${len} bytes at offset ${pos}`);
    const raw = bytes.slice(pos, pos + len);
    let command: Value;
    try {
      command = decodeValue(raw);
    } catch (err) {
      const why = err instanceof CodecError ? err.message : String(err);
      return fail(`command of entry ${index} at offset ${pos}: ${why}`);
    }
    reader.pos = pos + len;
    entries[k] = { term, command };
    encoded[k] = raw;
  }
  if (reader.pos !== reader.limit) fail(`${reader.limit - reader.pos} byte(s) between the last entry and the trailer at offset ${reader.pos}`);
  if (t.snapshotIndex + count > MAX_PERSISTED_NUMBER) fail(`last log index ${t.snapshotIndex + count} exceeds ${MAX_PERSISTED_NUMBER} (2^52)`);
  return { entries, encoded };
}
