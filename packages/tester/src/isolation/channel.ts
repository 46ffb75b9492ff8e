// The channel from a child process that runs code under test to the parent that judges it. The child
// can be made to say anything by that code, so the parent believes only messages that carry an HMAC of
// a per-child secret and the next sequence number. The secret reaches the child on a pipe (not the
// environment: /proc/self/environ keeps it) and is read, before the code under test loads, into a
// KeyObject (its bytes live outside the JS heap) that only a closure holds. A message the code under
// test writes itself (process.send, fs.writeSync on any fd, a patched stream) has no valid HMAC, or
// repeats or skips a number: the parent stops the child and fails the run it was on.

import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { readSync, writeSync } from "node:fs";

/** The child's fd on which the parent writes the secret, the job, then requests (one JSON line each). */
export const REQUEST_FD = 3;
/** The child's fd on which it writes its authenticated messages. */
export const MESSAGE_FD = 4;
/** Bytes of the per-child secret. */
export const SECRET_BYTES = 32;
/** The longest message line the parent accepts (a trace chunk is 64 KB; a stopped run's tail a few MB). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function newSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

function mac(key: KeyObject, seq: number, json: string): string {
  return createHmac("sha256", key).update(`${seq} ${json}`).digest("hex");
}

/**
 * The child's signer, taken before the code under test loads: Hmac's methods are captured and its
 * prototypes (the JS class and the native handle) frozen, so patching them cannot make the child sign
 * a message of the patcher's choosing.
 */
function childSigner(key: KeyObject): (seq: number, json: string) => string {
  const probe = createHmac("sha256", key);
  const proto = Object.getPrototypeOf(probe) as { update: (this: unknown, s: string) => unknown; digest: (this: unknown, e: string) => string };
  const { update, digest } = proto;
  for (const sym of Object.getOwnPropertySymbols(probe)) {
    const v: unknown = (probe as unknown as Record<symbol, unknown>)[sym];
    if (typeof v === "object" && v !== null && typeof (v as { update?: unknown }).update === "function") Object.freeze(Object.getPrototypeOf(v));
  }
  Object.freeze(proto);
  const hmac = createHmac;
  return (seq, json) => {
    const h = hmac("sha256", key);
    Reflect.apply(update, h, [`${seq} ${json}`]);
    return Reflect.apply(digest, h, ["hex"]);
  };
}

/** Writes all of `text` to `fd`, waiting out a full non-blocking pipe. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** Reads from `fd` until `n` bytes, or a newline when `n` is null; blocks (the child has nothing else to do yet). */
function readBlocking(fd: number, n: number | null): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const one = Buffer.alloc(1);
  for (;;) {
    if (n !== null && total === n) break;
    let got = 0;
    try {
      got = readSync(fd, one, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      continue;
    }
    if (got === 0) throw new Error("the parent closed the request pipe before sending the job");
    if (n === null && one[0] === 0x0a) break;
    chunks.push(Buffer.from(one));
    total += 1;
  }
  return Buffer.concat(chunks);
}

/** What the child sends with: `send` authenticates and numbers each message. */
export type Send = (message: object) => void;

/**
 * In the child, before anything under test loads: reads the secret and the job from the parent and
 * returns the job and the only function that can send a message the parent believes.
 */
export function openChildChannel<J>(): { job: J; send: Send } {
  const raw = readBlocking(REQUEST_FD, SECRET_BYTES);
  const key = createSecretKey(raw);
  raw.fill(0);
  const job = JSON.parse(readBlocking(REQUEST_FD, null).toString("utf8")) as J;
  const sign = childSigner(key);
  const write = writeAll;
  const stringify = JSON.stringify;
  let seq = 0;
  const send: Send = (message) => {
    seq += 1;
    const json = stringify(message);
    write(MESSAGE_FD, `${seq} ${sign(seq, json)} ${json}\n`);
  };
  return { job, send };
}

/** A line on the channel the parent does not believe. */
export class ForgedMessageError extends Error {
  override name = "ForgedMessageError";
}

/**
 * In the parent: splits the child's byte stream into messages and checks each one. Throws
 * ForgedMessageError at the first line that is not the child tester's next message.
 */
export class MessageReader {
  private buf = "";
  private seq = 0;
  private readonly key: KeyObject;

  constructor(secret: Buffer) {
    this.key = createSecretKey(secret);
  }

  /** The messages completed by `chunk`, in order. */
  feed(chunk: string): unknown[] {
    this.buf += chunk;
    const out: unknown[] = [];
    for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n")) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      out.push(this.check(line));
    }
    if (this.buf.length > MAX_MESSAGE_BYTES) throw new ForgedMessageError(`a message longer than ${MAX_MESSAGE_BYTES} bytes`);
    return out;
  }

  private check(line: string): unknown {
    const m = /^(\d{1,15}) ([0-9a-f]{64}) (.*)$/s.exec(line);
    if (m === null) throw new ForgedMessageError("a line that is not a message of the tester");
    const seq = Number(m[1]);
    const json = m[3] ?? "";
    const expected = Buffer.from(mac(this.key, seq, json), "hex");
    if (!timingSafeEqual(expected, Buffer.from(m[2] ?? "", "hex"))) throw new ForgedMessageError("a message without the tester's signature");
    if (seq !== this.seq + 1) throw new ForgedMessageError(`message ${seq} where ${this.seq + 1} was due (replayed or dropped)`);
    this.seq = seq;
    return JSON.parse(json) as unknown;
  }
}
