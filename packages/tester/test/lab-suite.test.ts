// The whole lab suite (3A-3D, 28 tests) on our Raft at fixed seeds, and on the example Raft at one
// seed. With RAFT_TRACE=1, every run's JSON trace goes to stdout, one whole run at a time, so
//   RAFT_TRACE=1 pnpm test | logviz
// shows them (the trace reporter in vitest's main process writes them; see test/trace/).

import type { MakeRaft } from "@raftlab/raft";
import { describe, expect, it, type TaskMeta } from "vitest";
import { runTest, TESTS } from "../src/runner.js";
import { make as simpleRaft } from "../../../examples/simple-raft/raft.js";
import { traceForReporter } from "./trace/trace-file.js";

const SEEDS = [1, 2];

async function expectPass(meta: TaskMeta, test: string, seed: number, impl?: MakeRaft): Promise<void> {
  const out = traceForReporter(meta);
  const r = await runTest(test, { seed, trace: out.sink, ...(impl !== undefined ? { impl } : {}) });
  out.done();
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
      it(`${t.name} seed ${seed}`, ({ task }) => expectPass(task.meta, t.name, seed));
    }
  }
});

describe("lab suite on examples/simple-raft (bring your own Raft)", () => {
  for (const t of TESTS) it(`${t.name} seed 1`, ({ task }) => expectPass(task.meta, t.name, 1, simpleRaft));
});
