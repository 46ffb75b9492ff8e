// The whole lab suite (3A-3D, 28 tests) on our Raft at fixed seeds, and on the example Raft at one
// seed. With RAFT_TRACE=1, every run's JSON trace goes to the real stdout, so
//   RAFT_TRACE=1 pnpm test | logviz
// shows them (vitest captures console output, so this writes to file descriptor 1 directly).

import { writeSync } from "node:fs";
import { formatTraceEvent, type MakeRaft, type TraceSink } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest, TESTS } from "../src/runner.js";
import { make as simpleRaft } from "../../../examples/simple-raft/raft.js";

const SEEDS = [1, 2];
const TRACE = process.env.RAFT_TRACE === "1";

/** Buffers a run's trace and writes it to stdout in one piece, so parallel files never interleave lines. */
function traceToStdout(): { sink: TraceSink | null; flush: () => void } {
  if (!TRACE) return { sink: null, flush: () => {} };
  const lines: string[] = [];
  return {
    sink: (e) => void lines.push(formatTraceEvent(e)),
    flush: () => {
      if (lines.length > 0) writeSync(1, lines.join("\n") + "\n");
    },
  };
}

async function expectPass(test: string, seed: number, impl?: MakeRaft): Promise<void> {
  const out = traceToStdout();
  const r = await runTest(test, { seed, trace: out.sink, ...(impl !== undefined ? { impl } : {}) });
  out.flush();
  // On failure, show how to replay it.
  expect(r.failure, `${test} seed ${seed}: replay with raftlab run ${test} --seed ${seed} --trace | logviz`).toBeUndefined();
  expect(r.ok).toBe(true);
  expect(r.virtualMs).toBeLessThanOrEqual(120_000);
}

describe("lab suite on raftlab's Raft", () => {
  it("has all 28 tests of the lab: 3 + 10 + 8 + 7", () => {
    const parts = ["3A", "3B", "3C", "3D"].map((p) => TESTS.filter((t) => t.part === p).length);
    expect(parts).toEqual([3, 10, 8, 7]);
  });
  for (const t of TESTS) {
    for (const seed of SEEDS) {
      it(`${t.name} seed ${seed}`, () => expectPass(t.name, seed));
    }
  }
});

describe("lab suite on examples/simple-raft (bring your own Raft)", () => {
  for (const t of TESTS) it(`${t.name} seed 1`, () => expectPass(t.name, 1, simpleRaft));
});
