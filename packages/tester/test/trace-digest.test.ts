// Pinned traces: the sha256 of our Raft's full trace (as `raftlab run --trace` writes it) for a few
// (test, seed) pairs across 3A–3D, recorded from the code before the speed work of issue 13. An
// optimisation must leave every one byte-identical: the same seeds, the same runs.
//
// Each pair pins two digests:
// - `full`: the trace exactly as written;
// - `sizeFree`: the same trace with the persisted-state size at the end of every Persist event's
//   message ("... 41B") replaced by "?B". The persisted layout is allowed to change size (a new
//   layout version adds a checksum); nothing else is. When the layout changes, `full` is re-recorded
//   and `sizeFree` must still match the value recorded before it, which shows that the layout change
//   moved nothing but that one number.
//
// Re-recorded once: `full`, for persisted-state layout version 2 (CRC-32 checksums). Every Persist
// event's size grew by 10 to 12 bytes (the trailer's snapshot length and CRC, its length byte, and
// the state's CRC); `sizeFree` is still the value recorded before that change.

import { createHash } from "node:crypto";
import { formatTraceEvent } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest } from "../src/runner.js";

interface Pinned {
  readonly test: string;
  readonly seed: number;
  readonly events: number;
  readonly full: string;
  readonly sizeFree: string;
}

const PINNED: readonly Pinned[] = [
  {
    test: "TestManyElections3A",
    seed: 1,
    events: 1899,
    full: "e6a7ddbcd5569eff7026bdb3ad24a93e5ee24156e86e016570f0e4e4ce7a81ca",
    sizeFree: "0a3a08e44ac3ccc012ac42faf7536ef6aa57470677b56039adc34976de981786",
  },
  {
    test: "TestBackup3B",
    seed: 2,
    events: 7269,
    full: "9c850e58991a28fa9b9b099995fa3447b04945dcee56ff8a3aa89d19e1188b12",
    sizeFree: "922d1d7effda0f5e4d5e0f0371f171a747f59a8b9843815c3db425b59d2bfa9a",
  },
  {
    test: "TestPersist23C",
    seed: 3,
    events: 3565,
    full: "871b8c922d4267db91597da310f4c4eae22a5cece5d4d72e9c9e9016d4970b2b",
    sizeFree: "28978819092c1e089ac4ead76096a131fb2b49eb9b025c39ca6c953723020cd5",
  },
  {
    test: "TestFigure8Unreliable3C",
    seed: 4,
    events: 16565,
    full: "cfc45643cf6ea5e44bd3665094c1b47cebd6754529158a68ebb52e4daee20625",
    sizeFree: "849ba34dc73a7b09a5fb4d87ae108b270f7ec3c45782e078283b0ada13412a85",
  },
  {
    test: "TestReliableChurn3C",
    seed: 1,
    events: 100789,
    full: "aa5269242f5f7fb60cd11f3de8a70875df05f5bc749316a5a7b4a7a5ee604477",
    sizeFree: "2fd4a1ad70e26d9d6efad1ee775e9b161d86a7ea16069e1ff65e3b62fc303c70",
  },
  {
    test: "TestSnapshotInstallUnreliable3D",
    seed: 2,
    events: 8437,
    full: "aaaf478ad50a021d1ec90c8decf957c9ffee82b1957ba96f00f388988c96fe54",
    sizeFree: "f53f5e9c7f1d2f47849a03dc1dead335f9ae6e73e3bf8ed4c3e2f7965a06f3d1",
  },
  {
    test: "TestSnapshotAllCrash3D",
    seed: 5,
    events: 1708,
    full: "2f6e254d180bc393cea62faccb15fb684c1b87b4cfc80f67a284fa1c0cf79167",
    sizeFree: "f8fda3445c1d058ca7f8854bed530661ca21ef6a56910a0381be1888f429f3a3",
  },
];

/** The persisted size that ends a Persist event's message. */
const PERSIST_SIZE = /("op":"Persist"[^\n]*? )\d+B"/g;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function traceText(test: string, seed: number): Promise<{ text: string; events: number; ok: boolean }> {
  const lines: string[] = [];
  const r = await runTest(test, { seed, trace: (e) => lines.push(formatTraceEvent(e)) });
  return { text: lines.join("\n") + "\n", events: lines.length, ok: r.ok };
}

describe("pinned traces (byte-identical across optimisations)", () => {
  for (const p of PINNED) {
    it(`${p.test} seed ${p.seed}: the trace's sha256 is the recorded one`, async () => {
      const { text, events, ok } = await traceText(p.test, p.seed);
      expect(ok).toBe(true);
      expect(events).toBe(p.events);
      expect(sha256(text.replace(PERSIST_SIZE, '$1?B"'))).toBe(p.sizeFree);
      expect(sha256(text)).toBe(p.full);
    }, 60_000);
  }

  it("the size mask touches only Persist events' sizes", () => {
    const persist = '{"t":0,"src":0,"term":0,"state":"follower","op":"Persist","topic":"PERS","msg":"S0 persist T0 vote=- log=(0,0] 8B"}';
    const snap = '{"t":1410,"src":1,"term":1,"state":"leader","op":"Snapshot","topic":"SNAP","msg":"S1 snapshot at 9 (T1), 60B; log (9,9]","index":9}';
    expect(`${persist}\n${snap}\n`.replace(PERSIST_SIZE, '$1?B"')).toBe(`${persist.replace('8B"', '?B"')}\n${snap}\n`);
  });
});
