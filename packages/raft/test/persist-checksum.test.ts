// The persisted state is verified, not just parsed (issue 13): a CRC-32 over the state, and the
// snapshot bound to it by length and CRC. Every single-bit flip of real persisted states (taken from
// an in-process cluster that elects, commits, crashes, restarts and snapshots) and of their snapshots
// must be refused at boot with a one-line CorruptStateError. Before the checksum, 145 of the 328 flips
// of a 41-byte state were accepted silently.

import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { Cluster, MemoryPersister, VirtualClock, make, type MakeRaft, type Persister } from "../src/index.js";
import { CorruptStateError, RaftCore, RaftLog, decodeState, encodeState } from "../src/core/index.js";
import { crc32 } from "../src/crc32.js";
import { STATE_VERSION } from "../src/core/log.js";
import { MAX_PERSISTED_NUMBER } from "../src/core/persist.js";
import { config, zeroRng } from "./helpers.js";

interface Saved {
  readonly peer: number;
  readonly state: Uint8Array;
  readonly snapshot: Uint8Array;
}

/** Every save of every peer, copied as it happens. */
async function recordSaves(): Promise<Saved[]> {
  const saves: Saved[] = [];
  const recording: MakeRaft = (peers, me, persister, applyCh, runtime) => {
    const spy: Persister = {
      save(state, snapshot) {
        persister.save(state, snapshot);
        saves.push({ peer: me, state: state.slice(), snapshot: snapshot === null ? new Uint8Array(0) : snapshot.slice() });
      },
      readRaftState: () => persister.readRaftState(),
      readSnapshot: () => persister.readSnapshot(),
      raftStateSize: () => persister.raftStateSize(),
      snapshotSize: () => persister.snapshotSize(),
    };
    return make(peers, me, spy, applyCh, runtime);
  };
  const clock = new VirtualClock();
  const c = new Cluster({ n: 3, clock, seed: 5, snapshotEvery: 7, make: recording });
  for (let i = 0; i < 30; i++) {
    let index = -1;
    while ((index = c.start({ op: "put", key: `k${i % 4}`, value: "v".repeat(i % 9), n: i * 1_000_003 })) < 0) await clock.runFor(50);
    await clock.runUntil(() => c.nCommitted(index).count >= 2, 5_000);
    if (i === 12) c.crash(c.leader() ?? 0);
    if (i === 20) for (let p = 0; p < 3; p++) c.restart(p);
  }
  await clock.runFor(2_000);
  c.shutdown();
  return saves;
}

let recorded: Promise<Saved[]> | null = null;
/** The saves of one cluster run, shared by the tests below. */
function realSaves(): Promise<Saved[]> {
  recorded ??= recordSaves();
  return recorded;
}

/** A spread of real states: the first boot, voted, with a log and no snapshot, the longest, with snapshots. */
function pick(saves: readonly Saved[]): Saved[] {
  const chosen: Saved[] = [];
  const add = (s: Saved | undefined): void => {
    if (s !== undefined && !chosen.includes(s)) chosen.push(s);
  };
  add(saves[0]);
  add(saves.find((s) => decodeState(s.state, 3).votedFor !== null && s.snapshot.length === 0));
  add(saves.find((s) => decodeState(s.state, 3).entries.length >= 3 && s.snapshot.length === 0));
  add([...saves].sort((a, b) => b.state.length - a.state.length)[0]);
  const snapped = saves.filter((s) => s.snapshot.length > 0);
  add(snapped[0]);
  add(snapped.find((s) => decodeState(s.state, 3).entries.length > 0));
  add(snapped.at(-1));
  return chosen;
}

function bootFrom(state: Uint8Array, snapshot: Uint8Array): void {
  RaftCore.boot(config({ me: 0, peerCount: 3 }), zeroRng, { raftState: state, snapshot }, 0);
}

function flipped(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
  return out;
}

/** The error boot throws for these bytes, or null if it boots. */
function bootError(state: Uint8Array, snapshot: Uint8Array): unknown {
  try {
    bootFrom(state, snapshot);
    return null;
  } catch (err) {
    return err;
  }
}

describe("persisted state checksum (layout version 2)", () => {
  it("real states from a cluster that crashes, restarts and snapshots: each boots as saved, and every single-bit flip of the state or its snapshot is a one-line CorruptStateError", async () => {
    const saves = await realSaves();
    const states = pick(saves);
    expect(states.length).toBeGreaterThanOrEqual(6);
    expect(states.filter((s) => s.snapshot.length > 0).length).toBeGreaterThanOrEqual(2);
    let flips = 0;
    for (const s of states) {
      expect(bootError(s.state, s.snapshot)).toBeNull();
      for (const [what, bytes] of [
        ["state", s.state],
        ["snapshot", s.snapshot],
      ] as const) {
        for (let bit = 0; bit < bytes.length * 8; bit++) {
          const err = what === "state" ? bootError(flipped(bytes, bit), s.snapshot) : bootError(s.state, flipped(bytes, bit));
          if (!(err instanceof CorruptStateError) || err.message.includes("\n")) {
            throw new Error(`flip of ${what} bit ${bit} (${bytes.length} bytes, peer ${s.peer}) gave ${err === null ? "a successful boot" : String(err)}`);
          }
          flips++;
        }
      }
    }
    expect(flips).toBeGreaterThan(2_000);
  });

  it("a state with another snapshot than its own, or none, is refused", async () => {
    const saves = await realSaves();
    const snapped = saves.filter((s) => s.snapshot.length > 0);
    const a = snapped[0] as Saved;
    const b = snapped.find((s) => s.snapshot.length !== a.snapshot.length || !Buffer.from(s.snapshot).equals(Buffer.from(a.snapshot))) as Saved;
    expect(b).toBeDefined();
    expect(() => bootFrom(a.state, b.snapshot)).toThrow(CorruptStateError);
    expect(() => bootFrom(a.state, new Uint8Array(0))).toThrow(/no snapshot is stored/);
    const fresh = saves.find((s) => s.snapshot.length === 0) as Saved;
    expect(() => bootFrom(fresh.state, a.snapshot)).toThrow(/snapshot is stored, but the state has none/);
    expect(() => bootFrom(new Uint8Array(0), a.snapshot)).toThrow(/no Raft state is stored/);
  });

  it("cutting a state short at any length is refused", async () => {
    const saves = await realSaves();
    const s = pick(saves).at(-1) as Saved;
    for (let n = 1; n < s.state.length; n++) expect(() => bootFrom(s.state.subarray(0, n), s.snapshot)).toThrow(CorruptStateError);
  });

  it("terms, indices and boot counters above 2^52 are refused at decode; 2^52 itself is accepted", () => {
    const at = (term: number): Uint8Array => {
      const log = new RaftLog();
      log.append(Math.min(term, 3), "x");
      return encodeState(term, null, 0, log).slice();
    };
    expect(decodeState(at(MAX_PERSISTED_NUMBER), 3).currentTerm).toBe(2 ** 52);
    for (const term of [2 ** 52 + 1, 2 ** 53 - 1, 2 ** 53]) {
      expect(() => decodeState(at(term), 3)).toThrow(/currentTerm \d+ at offset \d+ exceeds 4503599627370496 \(2\^52\)/);
    }
    const log = new RaftLog();
    expect(() => decodeState(encodeState(1, null, 2 ** 53 - 1, log).slice(), 3)).toThrow(/boot counter .* exceeds/);
  });

  it("the layout version is checked before anything else, and names itself", () => {
    const state = encodeState(1, null, 0, new RaftLog()).slice();
    expect(state[1]).toBe(STATE_VERSION);
    const v1 = state.slice();
    v1[1] = 1;
    expect(() => decodeState(v1, 3)).toThrow(`unsupported layout version 1 at offset 1 (expected ${STATE_VERSION})`);
  });

  it("a persist checksums only what changed: the state after appends equals a fresh encoding of the same log", () => {
    // The running CRC (extended per record, cut back on truncation, redone on compaction) must give
    // the same bytes as building the log from scratch.
    const grown = new RaftLog();
    for (let i = 1; i <= 40; i++) grown.append(1 + (i >> 3), { i, s: "y".repeat(i % 5) });
    grown.truncateFrom(31);
    grown.append(9, "after truncation");
    grown.compactTo(12);
    grown.append(9, "after compaction");
    const fresh = new RaftLog();
    fresh.restore(12, grown.snapshotTerm, [], []);
    for (let i = 13; i <= grown.lastIndex(); i++) fresh.append(grown.termAt(i) as number, grown.entry(i).command);
    const snap = Uint8Array.of(1, 2, 3);
    expect(Buffer.from(encodeState(9, 1, 4, grown, snap)).equals(Buffer.from(encodeState(9, 1, 4, fresh, snap)))).toBe(true);
    const st = decodeState(encodeState(9, 1, 4, grown, snap), 3, snap);
    expect(st.entries.map((e) => e.command)).toEqual(fresh.slice(12, fresh.lastIndex()).map((e) => e.command));
  });
});

describe("crc32", () => {
  it("is the standard CRC-32 (check value of '123456789' is 0xcbf43926), extendable, and agrees with zlib", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    let seed = 7;
    for (const n of [1, 5, 127, 128, 129, 1000, 70_000]) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      const whole = crc32(bytes);
      const cut = n >> 1;
      expect(crc32(bytes, crc32(bytes, 0, 0, cut), cut, n)).toBe(whole);
      const native = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
      if (native !== undefined) expect(whole).toBe(native(bytes));
    }
  });
});

describe("MemoryPersister", () => {
  it("keeps its own copy in a reused buffer: the caller may reuse its array, and sizes may shrink and grow", () => {
    const p = new MemoryPersister();
    const big = new Uint8Array(100_000).fill(3);
    p.save(big, null);
    big.fill(9);
    expect(p.raftStateSize()).toBe(100_000);
    expect(p.readRaftState().every((b) => b === 3)).toBe(true);
    p.save(Uint8Array.of(1, 2), null);
    expect([...p.readRaftState()]).toEqual([1, 2]);
    const copy = p.copy();
    p.save(Uint8Array.of(5, 6, 7), Uint8Array.of(8));
    expect([...copy.readRaftState()]).toEqual([1, 2]);
    expect([...p.readRaftState()]).toEqual([5, 6, 7]);
    expect(() => p.save(Uint8Array.of(1), "nope" as unknown as Uint8Array)).toThrow(/snapshot must be a Uint8Array/);
    expect([...p.readRaftState()]).toEqual([5, 6, 7]);
    expect([...p.readSnapshot()]).toEqual([8]);
  });
});
