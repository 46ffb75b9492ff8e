// The log with a snapshot offset (§7), and its incrementally maintained persisted form.
import { describe, expect, it } from "vitest";
import { createPrng } from "../src/prng.js";
import { RaftLog, decodeState, encodeState } from "../src/core/index.js";

const SNAPSHOT = Uint8Array.of(7, 7, 7);

describe("RaftLog", () => {
  it("§7: indices stay contiguous across compaction, truncation and snapshot installs; the persisted form always decodes to the log", () => {
    const rng = createPrng(99);
    const log = new RaftLog();
    let term = 1;
    for (let step = 0; step < 2_000; step++) {
      const op = rng.int(10);
      if (op < 6) log.append(term, rng.int(3) === 0 ? { big: "x".repeat(rng.int(300)) } : step);
      else if (op === 6) term += 1;
      else if (op === 7 && log.lastIndex() > log.snapshotIndex + 1) log.truncateFrom(log.snapshotIndex + 1 + rng.int(log.lastIndex() - log.snapshotIndex));
      else if (op === 8 && log.lastIndex() > log.snapshotIndex) log.compactTo(log.snapshotIndex + 1 + rng.int(log.lastIndex() - log.snapshotIndex));
      else if (op === 9 && rng.int(5) === 0) log.installSnapshot(log.lastIndex() + 1 + rng.int(3), term);
      const snapshot = log.snapshotIndex > 0 ? SNAPSHOT : null;
      const bytes = encodeState(term, null, 1, log, snapshot).slice();
      const st = decodeState(bytes, 3, snapshot ?? new Uint8Array(0));
      // The running checksum (extended per append, cut on truncation, redone on compaction) gives the
      // same bytes as a log built afresh from the decoded entries.
      const fresh = new RaftLog();
      fresh.restore(st.snapshotIndex, st.snapshotTerm, st.entries, st.encoded);
      expect(Buffer.from(encodeState(term, null, 1, fresh, snapshot)).equals(Buffer.from(bytes))).toBe(true);
      expect(st.snapshotIndex).toBe(log.snapshotIndex);
      expect(st.snapshotTerm).toBe(log.snapshotTerm);
      expect(st.entries.length).toBe(log.lastIndex() - log.snapshotIndex);
      for (let k = 0; k < st.entries.length; k++) expect(st.entries[k]).toEqual(log.entry(log.snapshotIndex + 1 + k));
    }
    expect(log.lastIndex()).toBeGreaterThan(100);
  });

  it("termAt, lastIndexOfTerm and firstIndexOfTerm see through the snapshot boundary", () => {
    const log = new RaftLog();
    log.restore(10, 2, [], []);
    for (const t of [2, 2, 3, 5, 5]) log.append(t, null);
    expect(log.termAt(9)).toBeUndefined();
    expect(log.termAt(10)).toBe(2);
    expect(log.termAt(16)).toBeUndefined();
    expect(log.lastIndexOfTerm(2)).toBe(12);
    expect(log.lastIndexOfTerm(4)).toBe(-1);
    expect(log.lastIndexOfTerm(5)).toBe(15);
    expect(log.firstIndexOfTerm(5, 15)).toBe(14);
    expect(log.firstIndexOfTerm(2, 12)).toBe(11);
    log.compactTo(13);
    expect(log.lastIndexOfTerm(3)).toBe(13);
    expect(log.recordSize(14)).toBe(3);
  });
});
