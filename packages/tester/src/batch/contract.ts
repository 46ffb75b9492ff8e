// The runner API the batch runner builds on (packages/tester/src/runner.ts). The batch runner reaches
// the runner only through this module, so the seam is explicit: workers call `runTest`, the parent
// resolves patterns with `matchTests` and validates `--impl` with `loadImpl`.

import type { MakeRaft } from "@raftlab/raft";
import * as runner from "../runner.js";
// Conformance is one more test of a batch: it registers itself with the runner as it loads.
import "../conform/as-test.js";
import type { RunOptions, RunResult, TestSpec } from "../runner.js";

export type { RunFailure, RunOptions, RunResult, TestSpec } from "../runner.js";

/** What the batch runner uses of a runner module. */
export interface RunnerModule {
  readonly TESTS: readonly TestSpec[];
  matchTests(patterns: readonly string[]): TestSpec[];
  runTest(name: string, options: RunOptions): Promise<RunResult>;
  loadImpl(modulePath: string): Promise<MakeRaft>;
}

const defaultRunner: RunnerModule = runner;

/**
 * The runner: packages/tester's own, or (a test seam) another module with the same API, given by URL,
 * such as the stand-in runner the batch harness tests use.
 */
export async function loadRunner(moduleUrl?: string): Promise<RunnerModule> {
  if (moduleUrl === undefined) return defaultRunner;
  return (await import(moduleUrl)) as RunnerModule;
}
