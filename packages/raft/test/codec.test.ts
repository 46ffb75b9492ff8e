// The value codec (our labgob): round trips, compactness, and clear errors on corrupt input.
import { describe, expect, it } from "vitest";
import { CodecError, cloneValue, decodeValue, encodeValue, encodedSize, type Value } from "../src/index.js";

describe("codec", () => {
  it("round-trips every kind of value", () => {
    const v: Value = {
      n: null,
      t: true,
      f: false,
      i: 42,
      big: 2 ** 53 - 1,
      neg: -7,
      minSafe: -(2 ** 53 - 1),
      x: 1.5,
      nz: -0,
      s: "héllo",
      e: "",
      b: new Uint8Array([1, 2, 255]),
      a: [1, "two", [3]],
      o: { k: { deep: [] } },
    };
    const back = decodeValue(encodeValue(v)) as Record<string, Value>;
    expect(back).toEqual(v);
    expect(Object.is(back["nz"], -0)).toBe(true);
  });

  it("encodes small integers in a byte or two, and strings at about their length", () => {
    expect(encodedSize(5)).toBe(2);
    expect(encodedSize(300)).toBe(3);
    expect(encodedSize("x".repeat(5000))).toBe(5000 + 1 + 2);
  });

  it("copies deeply, so sender and receiver share nothing", () => {
    const v = { a: [1, 2] };
    const c = cloneValue(v) as { a: number[] };
    c.a.push(3);
    expect(v.a).toEqual([1, 2]);
  });

  it("rejects values it cannot encode", () => {
    expect(() => encodeValue({ u: undefined } as unknown as Value)).toThrow(CodecError);
    expect(() => encodeValue(new Map() as unknown as Value)).toThrow(/class Map/);
  });

  it("names the problem in corrupt input instead of crashing", () => {
    const good = encodeValue({ log: [1, 2, 3] });
    expect(() => decodeValue(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => decodeValue(new Uint8Array([42]))).toThrow(/unknown value tag 42 at offset 0/);
    expect(() => decodeValue(new Uint8Array([...good, 0]))).toThrow(/trailing/);
    expect(() => decodeValue(new Uint8Array([8, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(CodecError);
  });

  it("gives the same bytes whatever was encoded before (the writer is reused)", () => {
    const v: Value = { term: 3, entries: [{ term: 3, command: "x" }] };
    const first = encodeValue(v);
    encodeValue("y".repeat(2_000_000)); // grows, then drops, the shared buffer
    expect(() => encodeValue({ bad: undefined } as unknown as Value)).toThrow(CodecError); // fails midway
    expect(encodeValue(v)).toEqual(first);
    expect(encodedSize(v)).toBe(first.length);
    const a = encodeValue(1),
      b = encodeValue(2);
    expect([a[1], b[1]]).toEqual([1, 2]); // results never alias one another
  });
});
