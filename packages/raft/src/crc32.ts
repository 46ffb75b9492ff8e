// CRC-32 (IEEE 802.3, the zlib/PNG/gzip polynomial 0xEDB88320), extendable: crc32(b, crc32(a)) equals
// crc32(a ++ b). The persisted Raft state keeps a running CRC per log entry, so a persist checksums
// only what changed. Short inputs (a log record is a few bytes) go through a table here, because a call
// into Node's native zlib.crc32 costs ~0.2 µs however short the input; long ones (a snapshot, a whole
// log at restart) go to zlib.crc32 when this Node has it (20.15+), and to the table otherwise.

import * as zlib from "node:zlib";

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Inputs at least this long go to zlib.crc32, where it exists. */
const NATIVE_FROM_BYTES = 128;

/** The CRC-32 of bytes[start, end), continuing from `crc` (0 for a fresh checksum). Unsigned. */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  if (native !== undefined && end - start >= NATIVE_FROM_BYTES) {
    return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), crc);
  }
  let c = ~crc;
  for (let i = start; i < end; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
