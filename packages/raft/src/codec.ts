// A compact, self-describing binary encoding of `Value`s: raftlab's labgob. The Raft uses it for its
// persisted state; the tester uses it to copy RPC arguments and replies across the simulated network
// and to count RPC bytes, as labrpc does with gob.
//
// Layout: one tag byte per value, then
//   NULL, FALSE, TRUE          nothing
//   UINT                       unsigned LEB128 varint (non-negative safe integers)
//   NINT                       varint of -(v + 1) (negative safe integers)
//   F64                        8 bytes, little-endian IEEE double (everything else, incl. -0 and NaN)
//   STR, BYTES                 varint length, then UTF-8 / raw bytes
//   ARRAY                      varint count, then the items
//   OBJECT                     varint count, then (varint key length, UTF-8 key, value) pairs
// Decoding checks every tag, length and bound, and reports the byte offset of the first problem, so
// corrupt persisted state fails with a clear message instead of a crash deep inside.

import type { Value } from "./api.js";

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Uint = 3,
  Nint = 4,
  F64 = 5,
  Str = 6,
  Bytes = 7,
  Array = 8,
  Object = 9,
}

/** Nesting deeper than this is rejected, so a hostile input cannot exhaust the stack. */
export const MAX_DEPTH = 64;
/** A single encoded value may not exceed this size (a bound on every message and persisted blob). */
export const MAX_ENCODED_BYTES = 64 * 1024 * 1024;

export class CodecError extends Error {
  override name = "CodecError";
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes a value. Throws CodecError for values outside `Value` (undefined, functions, cycles…). */
export function encodeValue(value: Value): Uint8Array {
  return withWriter(value, (w) => w.finish());
}

/** The encoded size of a value in bytes, without keeping (or copying out) the encoding. */
export function encodedSize(value: Value): number {
  return withWriter(value, (w) => w.pos);
}

const SHARED_WRITER_INITIAL_BYTES = 4096;
const SHARED_WRITER_MAX_BYTES = 1024 * 1024;
let sharedWriter: Writer | null = null;
let sharedWriterBusy = false;

/**
 * Encodes `value` into a writer and hands it to `use`. One writer is reused across calls: allocating
 * and growing a fresh buffer per call was the largest single cost of a simulated run (every RPC is
 * copied through here). Encoding runs no user code, so it cannot re-enter; the guard only keeps that
 * true if it ever changes. The output depends only on `value`, never on what was encoded before.
 */
function withWriter<T>(value: Value, use: (w: Writer) => T): T {
  const shared = sharedWriter !== null && !sharedWriterBusy;
  const w = shared ? (sharedWriter as Writer) : new Writer(64);
  if (shared) {
    sharedWriterBusy = true;
    w.pos = 0;
  }
  try {
    writeValue(w, value, 0);
    return use(w);
  } finally {
    if (shared) {
      sharedWriterBusy = false;
      // Keep memory bounded: a rare huge value must not pin a huge buffer for good.
      if (w.buf.length > SHARED_WRITER_MAX_BYTES) sharedWriter = new Writer(SHARED_WRITER_INITIAL_BYTES);
    }
  }
}

/** Decodes exactly one value that must fill `bytes`. Throws CodecError naming the problem. */
export function decodeValue(bytes: Uint8Array): Value {
  const r = new Reader(bytes);
  const value = readValue(r, 0);
  if (r.pos !== bytes.length) {
    throw new CodecError(`${bytes.length - r.pos} trailing byte(s) after the value at offset ${r.pos}`);
  }
  return value;
}

/** A deep copy made by encoding and decoding, as labrpc does for every argument and reply. */
export function cloneValue(value: Value): Value {
  return decodeValue(encodeValue(value));
}

class Writer {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    if (need > MAX_ENCODED_BYTES) throw new CodecError(`encoded value exceeds ${MAX_ENCODED_BYTES} bytes`);
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  varint(n: number): void {
    this.ensure(8);
    // Safe integers need at most 8 LEB128 groups; division keeps us exact above 2^32.
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }
  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
  str(s: string): void {
    // Fast path for ASCII, which is nearly every key and most commands.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.varint(s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    const bytes = utf8.encode(s);
    this.varint(bytes.length);
    this.raw(bytes);
  }
  /** A field name: from the cache of encoded names when it is short and already seen. */
  key(s: string): void {
    let enc = keyBytes.get(s);
    if (enc === undefined) {
      if (s.length > MAX_CACHED_KEY_LENGTH || keyBytes.size >= MAX_CACHED_KEYS) return this.str(s);
      const start = this.pos;
      this.str(s);
      enc = this.buf.slice(start, this.pos);
      keyBytes.set(s, enc);
      return;
    }
    this.ensure(enc.length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < enc.length; i++) buf[pos++] = enc[i] as number;
    this.pos = pos;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

sharedWriter = new Writer(SHARED_WRITER_INITIAL_BYTES);

function writeValue(w: Writer, v: Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new CodecError(`value nested deeper than ${MAX_DEPTH} levels`);
  if (v === null) return w.byte(Tag.Null);
  switch (typeof v) {
    case "boolean":
      return w.byte(v ? Tag.True : Tag.False);
    case "number":
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        if (v >= 0) {
          w.byte(Tag.Uint);
          w.varint(v);
        } else {
          w.byte(Tag.Nint);
          w.varint(-(v + 1));
        }
      } else {
        w.byte(Tag.F64);
        w.f64(v);
      }
      return;
    case "string":
      w.byte(Tag.Str);
      return w.str(v);
    case "object":
      break;
    default:
      throw new CodecError(`cannot encode a value of type ${typeof v}`);
  }
  if (v instanceof Uint8Array) {
    w.byte(Tag.Bytes);
    w.varint(v.length);
    return w.raw(v);
  }
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    w.byte(Tag.Array);
    w.varint(items.length);
    for (const item of items) writeValue(w, item, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new CodecError(`cannot encode an object of class ${(v as object).constructor?.name ?? "unknown"}`);
  }
  const obj = v as { readonly [key: string]: Value };
  w.byte(Tag.Object);
  // Most objects (every RPC's arguments, every log entry) have under 128 fields: write a one-byte count
  // and patch it, walking the own keys with for-in instead of allocating Object.keys' array per object.
  // The prototype is Object.prototype or null (checked above), so for-in sees exactly Object.keys' keys
  // in the same order, unless someone made a property of Object.prototype enumerable: hasOwn skips it.
  const countAt = w.pos;
  w.byte(0);
  let count = 0;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (++count === 0x80) {
      w.pos = countAt;
      return writeFields(w, obj, Object.keys(obj), depth);
    }
    w.key(key);
    const item = obj[key];
    if (item === undefined) throw new CodecError(`field "${key}" is undefined`);
    writeValue(w, item, depth + 1);
  }
  w.buf[countAt] = count;
}

/** The fields of an object with 128 or more of them: the varint count, then each key and value. */
function writeFields(w: Writer, obj: { readonly [key: string]: Value }, keys: readonly string[], depth: number): void {
  w.varint(keys.length);
  for (const key of keys) {
    w.str(key);
    const item = obj[key];
    if (item === undefined) throw new CodecError(`field "${key}" is undefined`);
    writeValue(w, item, depth + 1);
  }
}

/** Encoded field names (length varint + bytes), for the few names every message repeats. */
const keyBytes = new Map<string, Uint8Array>();
const MAX_CACHED_KEYS = 1024;
const MAX_CACHED_KEY_LENGTH = 32;

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new CodecError(`truncated: ${what} at offset ${this.pos} needs ${n} byte(s), ${this.buf.length - this.pos} left`);
    }
  }
  byte(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++] as number;
  }
  varint(what: string): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte(what);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) break;
        return result;
      }
      scale *= 0x80;
    }
    throw new CodecError(`bad varint for ${what} at offset ${start}`);
  }
  length(what: string): number {
    const n = this.varint(what);
    this.need(n, what);
    return n;
  }
  str(what: string): string {
    const n = this.length(what);
    const start = this.pos;
    this.pos += n;
    try {
      return utf8Decoder.decode(this.buf.subarray(start, start + n));
    } catch {
      throw new CodecError(`invalid UTF-8 in ${what} at offset ${start}`);
    }
  }
  f64(): number {
    this.need(8, "float64");
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }
}

function readValue(r: Reader, depth: number): Value {
  if (depth > MAX_DEPTH) throw new CodecError(`value nested deeper than ${MAX_DEPTH} levels at offset ${r.pos}`);
  const at = r.pos;
  const tag = r.byte("value tag");
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Uint:
      return r.varint("integer");
    case Tag.Nint:
      return -r.varint("integer") - 1;
    case Tag.F64:
      return r.f64();
    case Tag.Str:
      return r.str("string");
    case Tag.Bytes: {
      const n = r.length("byte array");
      const out = r.buf.slice(r.pos, r.pos + n);
      r.pos += n;
      return out;
    }
    case Tag.Array: {
      // Every item takes at least one byte, which bounds the count by what is left.
      const n = r.varint("array length");
      r.need(n, "array items");
      const items: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) items[i] = readValue(r, depth + 1);
      return items;
    }
    case Tag.Object: {
      const n = r.varint("object size");
      r.need(n * 2, "object fields");
      const obj: { [key: string]: Value } = {};
      for (let i = 0; i < n; i++) {
        const key = r.str("field name");
        if (key === "__proto__") throw new CodecError(`forbidden field name "__proto__" at offset ${r.pos}`);
        obj[key] = readValue(r, depth + 1);
      }
      return obj;
    }
    default:
      throw new CodecError(`unknown value tag ${tag} at offset ${at}`);
  }
}
