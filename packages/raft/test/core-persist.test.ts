// The persisted state's encoding: compact, and clear errors for corrupt state (the checksum itself and
// every single-bit flip of real states: persist-checksum.test.ts). What Figure 2 says is saved, when
// (before the reply or send that depends on it) and the round trip through a restart are scripts in
// testdata/persistence.txt (run by transcripts.test.ts).
import { describe, expect, it } from "vitest";
import { CorruptStateError, RaftCore, RaftLog, decodeState, encodeState } from "../src/core/index.js";
import { STATE_VERSION } from "../src/core/log.js";
import { crc32 } from "../src/crc32.js";
import { config, storedState, zeroRng } from "./helpers.js";

describe("the persisted state's encoding", () => {
  it("compact encoding: with a snapshot and 10 small commands the state is far under 2000 bytes", () => {
    const log = new RaftLog();
    log.restore(1000, 7, [], []);
    for (let i = 0; i < 10; i++) log.append(7, i * 1001);
    const snapshot = Uint8Array.of(9, 9, 9);
    const bytes = encodeState(7, 2, 3, log, snapshot);
    expect(bytes.length).toBeLessThan(100);
    const st = decodeState(bytes, 3, snapshot);
    expect(st).toMatchObject({ currentTerm: 7, votedFor: 2, boot: 3, snapshotIndex: 1000, snapshotTerm: 7, snapshotLength: 3 });
    expect(st.entries.map((e) => e.command)).toEqual(Array.from({ length: 10 }, (_, i) => i * 1001));
  });

  describe("corrupt persisted state gives a clear CorruptStateError naming what is wrong", () => {
    const good = storedState({ terms: [1, 2], term: 2, votedFor: 1 }).raftState.slice();
    const cases: [string, Uint8Array, RegExp][] = [
      ["bad magic", Uint8Array.from([0x00, ...good.slice(1)]), /bad magic byte 0x0 at offset 0/],
      ["wrong layout version", Uint8Array.from([0x52, 9, ...good.slice(2)]), /unsupported layout version 9/],
      ["cut short by a byte", good.slice(0, good.length - 1), /checksum mismatch/],
      ["shorter than any state", good.slice(0, 10), /truncated: 10 bytes is shorter than any state/],
      ["a trailing byte", Uint8Array.from([...good, 0]), /checksum mismatch/],
      ["a flipped bit", flip(good, 5, 0x10), /checksum mismatch/],
      // Behind a valid checksum, every field and relation is still checked.
      ["votedFor not a peer", encodeState(2, 7, 0, new RaftLog()).slice(), /votedFor 7 is not a peer/],
      [
        "entry term above currentTerm",
        (() => {
          const l = new RaftLog();
          l.append(5, "x");
          return encodeState(2, null, 0, l).slice();
        })(),
        /entry 1 has term 5 above currentTerm 2/,
      ],
      ["bad varint", sealed([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /bad varint for currentTerm/],
      ["a trailer longer than the state", reseal(flip(good, good.length - 5, 0xff)), /trailer length \d+ at offset \d+ exceeds the state/],
      [
        "a byte between the records and the trailer",
        reseal(insert(good, good.length - 5 - (good[good.length - 5] as number), 0)),
        /1 byte\(s\) between the last entry and the trailer/,
      ],
      ["a snapshot checksum without a snapshot", reseal(flip(good, good.length - 6, 0x01)), /snapshot checksum 0x01000000 without a snapshot/],
    ];
    for (const [name, bytes, re] of cases) {
      it(`${name}`, () => {
        expect(() => RaftCore.boot(config(), zeroRng, { raftState: bytes, snapshot: new Uint8Array(0) }, 0)).toThrow(CorruptStateError);
        expect(() => decodeState(bytes, 3)).toThrow(re);
      });
    }

    it("terms that decrease along the log", () => {
      const bytes = storedState({ terms: [2, 3], term: 3 }).raftState.slice();
      const st = decodeState(bytes, 3);
      expect(st.entries.map((e) => e.term)).toEqual([2, 3]);
      // Records start after the 2-byte prefix: entry 1 is (term, length, command), then entry 2's term.
      const i = 2 + 2 + (bytes[3] as number);
      expect(bytes[i]).toBe(3);
      const bad = bytes.slice();
      bad[i] = 1;
      expect(() => decodeState(bad, 3)).toThrow(/checksum mismatch/);
      expect(() => decodeState(reseal(bad), 3)).toThrow(/entry 2 has term 1 after term 2/);
    });

    it("a log that starts after a snapshot that is not stored", () => {
      const { raftState } = storedState({ snapshot: { index: 5, term: 1 }, terms: [1], term: 1 });
      expect(() => RaftCore.boot(config(), zeroRng, { raftState, snapshot: new Uint8Array(0) }, 0)).toThrow(/no snapshot is stored/);
    });
  });
});

/** A copy of `bytes` with byte `at` XORed with `mask`. */
function flip(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] as number) ^ mask;
  return out;
}

/** A copy of `bytes` with `value` inserted at `at`. */
function insert(bytes: Uint8Array, at: number, value: number): Uint8Array {
  return Uint8Array.from([...bytes.subarray(0, at), value, ...bytes.subarray(at)]);
}

/** `bytes` with its checksum recomputed: a damaged state that the checksum no longer catches. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const crc = crc32(out, 0, 0, out.length - 4);
  new DataView(out.buffer).setUint32(out.length - 4, crc, true);
  return out;
}

/** A state of the prefix, this trailer, its length byte and a valid checksum. */
function sealed(trailer: number[]): Uint8Array {
  return reseal(Uint8Array.from([0x52, STATE_VERSION, ...trailer, trailer.length, 0, 0, 0, 0]));
}
