// The lab's "Log size too large" check (TestSnapshot*3D: persister.RaftStateSize() < 2000 bytes) measures
// bytes of Go's gob encoding. Our Raft's layout is about 8 bytes per entry against about 20 for a Go
// student's gob, so a Raft that compacts lazily (only every 100 entries) would pass here and fail in Go.
// So when the persisted state is ours (it decodes, CRC-checked), the check measures what gob would have
// written for the same state; any other Raft's bytes are measured as they are.
//
// The Go state modelled is the lab's usual one: e.Encode(currentTerm); e.Encode(votedFor);
// e.Encode(lastIncludedIndex); e.Encode(lastIncludedTerm); e.Encode(log) with
// log []LogEntry{Term int; Command interface{}}.

import { decodeState, type PersistedState } from "@raftlab/raft";
import type { Value } from "@raftlab/raft";

/**
 * The gob type definitions an Encoder sends once, before the first []LogEntry: the slice type and the
 * struct with its two field names ("Term", "Command"). The per-value costs below follow the gob format.
 * Checked against Go's encoding/gob (go1.19, the program in test/gob-size.test.ts): an empty state is 80
 * bytes, then 20 bytes per entry with rand.Int() commands, about 12 with small ints, 17 with 2-byte
 * strings; this model gives the same figures within a byte at 0, 1, 10 and 100 entries.
 */
const GOB_LOG_TYPE_BYTES = 60;

/** gob's unsigned integer: one byte below 128, else a negated byte count and big-endian bytes. */
export function gobUintSize(u: number): number {
  if (u < 128) return 1;
  let bytes = 0;
  for (let x = u; x > 0; x = Math.floor(x / 256)) bytes += 1;
  return 1 + bytes;
}

/** gob's signed integer: the sign folded into the low bit, then as unsigned. */
export function gobIntSize(i: number): number {
  return gobUintSize(i < 0 ? -2 * i - 1 : 2 * i);
}

/**
 * Commands the tester makes with randInt() stand for Go's rand.Int(), a 63-bit value that gob writes in
 * 9 bytes; ours are cut to 31 bits only to stay exact. So an integer command of 2^16 or more counts as
 * Go's: 9 bytes.
 */
function commandValueSize(command: Value): { name: string; bytes: number } {
  if (typeof command === "number" && Number.isInteger(command)) {
    return { name: "int", bytes: Math.abs(command) >= 2 ** 16 ? 9 : gobIntSize(command) };
  }
  if (typeof command === "string") {
    const n = Buffer.byteLength(command);
    return { name: "string", bytes: gobUintSize(n) + n };
  }
  const text = JSON.stringify(command) ?? "";
  return { name: "[]uint8", bytes: gobUintSize(text.length) + text.length };
}

/** One top-level Encode of a value whose encoding takes `body` bytes: length prefix, type id, value. */
function gobMessageSize(body: number): number {
  const inner = 1 + body; // type id (a predeclared or early id: one byte), then the value
  return gobUintSize(inner) + inner;
}

/** The bytes Go's gob would write for this Raft state, in the lab's usual layout (see the header). */
export function gobEquivalentSize(state: PersistedState): number {
  const ints = [state.currentTerm, state.votedFor ?? -1, state.snapshotIndex, state.snapshotTerm];
  let size = 0;
  // A top-level int goes as a singleton: a zero field delta, then the value.
  for (const v of ints) size += gobMessageSize(1 + gobIntSize(v));
  // The log: []LogEntry, every element a struct: delta+Term, delta+Command (an interface: type name,
  // type id, byte count, then a singleton), end-of-struct.
  let body = gobUintSize(state.entries.length);
  for (const e of state.entries) {
    const c = commandValueSize(e.command);
    const iface = gobUintSize(c.name.length) + c.name.length + 1 + 1 + 1 + c.bytes;
    body += 1 + gobIntSize(e.term) + 1 + iface + 1;
  }
  size += GOB_LOG_TYPE_BYTES + gobMessageSize(body);
  return size;
}

/**
 * The size the lab's check should see for persisted Raft state `bytes`: gob's for our own layout,
 * the bytes themselves for any other Raft's.
 */
export function labRaftStateSize(bytes: Uint8Array, peers: number): number {
  if (bytes.length === 0) return 0;
  let state: PersistedState;
  try {
    state = decodeState(bytes, peers);
  } catch {
    return bytes.length;
  }
  return Math.max(bytes.length, gobEquivalentSize(state));
}
