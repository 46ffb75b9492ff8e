// Encoding of the persisted Raft state (currentTerm, votedFor, the log, and the boot counter). The
// layout is tighter than encodeValue of an object, because 3D requires the state to stay under 2000
// bytes, and every command is kept pre-encoded in the log so a persist is mostly a copy:
//
//   byte    magic 0x52 ('R'), byte version (1)
//   varint  currentTerm, votedFor + 1 (0 = none), boot, snapshotIndex, snapshotTerm, entry count
//   then per entry: varint term, varint length, that many bytes = encodeValue(command)
//
// Decoding validates every field and relation (terms never decrease, votedFor is a peer, nothing
// trails) and throws CorruptStateError naming what is wrong and where.

import type { Value } from "../api.js";
import { CodecError, decodeValue } from "../codec.js";
import type { RaftLog } from "./log.js";
import type { Entry } from "./types.js";

const MAGIC = 0x52;
const VERSION = 1;

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
  readonly entries: Entry[];
  readonly encoded: Uint8Array[];
}

/** The header is built here and copied out: a persist then allocates only its result. */
const HEAD_SCRATCH = new Uint8Array(2 + 6 * 8);

export function encodeState(currentTerm: number, votedFor: number | null, boot: number, log: RaftLog): Uint8Array {
  const records = log.recordBytes();
  const head = HEAD_SCRATCH;
  let pos = 0;
  const varint = (n: number): void => {
    while (n >= 0x80) {
      head[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    head[pos++] = n;
  };
  head[pos++] = MAGIC;
  head[pos++] = VERSION;
  varint(currentTerm);
  varint(votedFor === null ? 0 : votedFor + 1);
  varint(boot);
  varint(log.snapshotIndex);
  varint(log.snapshotTerm);
  varint(log.length);
  // The log keeps its entries in persisted form already, so this is one copy.
  const out = new Uint8Array(pos + records.length);
  out.set(head.subarray(0, pos));
  out.set(records, pos);
  return out;
}

/** Decodes persisted state; `peerCount` bounds votedFor. An empty array means a fresh peer. */
export function decodeState(bytes: Uint8Array, peerCount: number): PersistedState {
  if (bytes.length === 0) {
    return { currentTerm: 0, votedFor: null, boot: 0, snapshotIndex: 0, snapshotTerm: 0, entries: [], encoded: [] };
  }
  let pos = 0;
  const fail = (what: string): never => {
    throw new CorruptStateError(`corrupt persisted Raft state (${bytes.length} bytes): ${what}`);
  };
  const byte = (what: string): number => {
    if (pos >= bytes.length) fail(`truncated: ${what} missing at offset ${pos}`);
    return bytes[pos++] as number;
  };
  const varint = (what: string): number => {
    const start = pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = byte(what);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (Number.isSafeInteger(result)) return result;
        break;
      }
      scale *= 0x80;
    }
    return fail(`bad varint for ${what} at offset ${start}`);
  };
  const magic = byte("magic byte");
  if (magic !== MAGIC) fail(`bad magic byte 0x${magic.toString(16)} at offset 0 (expected 0x52)`);
  const version = byte("version");
  if (version !== VERSION) fail(`unsupported version ${version} at offset 1 (expected ${VERSION})`);
  const currentTerm = varint("currentTerm");
  const votedRaw = varint("votedFor");
  if (votedRaw > peerCount) fail(`votedFor ${votedRaw - 1} is not a peer (there are ${peerCount})`);
  const votedFor = votedRaw === 0 ? null : votedRaw - 1;
  const boot = varint("boot counter");
  const snapshotIndex = varint("snapshotIndex");
  const snapshotTerm = varint("snapshotTerm");
  if (snapshotTerm > currentTerm) fail(`snapshotTerm ${snapshotTerm} exceeds currentTerm ${currentTerm}`);
  if (snapshotIndex === 0 && snapshotTerm !== 0) fail(`snapshotTerm ${snapshotTerm} without a snapshot`);
  const count = varint("entry count");
  // Every entry takes at least three bytes, which bounds the count by what is left.
  if (count * 3 > bytes.length - pos) fail(`entry count ${count} exceeds what ${bytes.length - pos} bytes can hold`);
  const entries: Entry[] = new Array<Entry>(count);
  const encoded: Uint8Array[] = new Array<Uint8Array>(count);
  let prevTerm = snapshotTerm;
  for (let k = 0; k < count; k++) {
    const index = snapshotIndex + 1 + k;
    const term = varint(`term of entry ${index}`);
    if (term < prevTerm) fail(`entry ${index} has term ${term} after term ${prevTerm} (terms must not decrease)`);
    if (term > currentTerm) fail(`entry ${index} has term ${term} above currentTerm ${currentTerm}`);
    prevTerm = term;
    const len = varint(`length of entry ${index}`);
    if (pos + len > bytes.length) fail(`truncated: entry ${index} needs ${len} bytes at offset ${pos}`);
    const raw = bytes.slice(pos, pos + len);
    let command: Value;
    try {
      command = decodeValue(raw);
    } catch (err) {
      const why = err instanceof CodecError ? err.message : String(err);
      return fail(`command of entry ${index} at offset ${pos}: ${why}`);
    }
    pos += len;
    entries[k] = { term, command };
    encoded[k] = raw;
  }
  if (pos !== bytes.length) fail(`${bytes.length - pos} trailing byte(s) at offset ${pos}`);
  return { currentTerm, votedFor, boot, snapshotIndex, snapshotTerm, entries, encoded };
}
