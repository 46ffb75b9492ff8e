// The runner API the batch runner builds on (packages/tester/src/runner.ts). The batch runner reaches the
// runner only through this module, so the seam is explicit: workers call `runTest`, the parent resolves
// patterns with `matchTests` and validates `--impl` with `loadImpl`.
//
// TEMPORARY: runner.ts has not landed yet; these types mirror its agreed contract and the module is
// loaded dynamically. Once it lands this file re-exports it statically.

import type { MakeRaft, TraceSink } from "@raftlab/raft";

export interface TestSpec {
  readonly name: string;
  readonly part: "3A" | "3B" | "3C" | "3D";
  readonly servers: number;
  readonly description: string;
}
export interface RunOptions {
  readonly seed: number;
  readonly impl?: MakeRaft;
  readonly trace?: TraceSink | null;
  readonly output?: (line: string) => void;
  readonly pace?: number;
}
export interface RunFailure {
  readonly kind: "fail" | "violation" | "timeout" | "crash";
  readonly message: string;
  readonly invariant?: string;
}
export interface RunResult {
  readonly test: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly failure?: RunFailure;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly rpcs: number;
  readonly bytes: number;
  readonly cmds: number;
  readonly peers: number;
}
export interface RunnerModule {
  readonly TESTS: readonly TestSpec[];
  matchTests(patterns: readonly string[]): TestSpec[];
  runTest(name: string, options: RunOptions): Promise<RunResult>;
  loadImpl(modulePath: string): Promise<MakeRaft>;
}

/** The default runner: packages/tester/src/runner.ts (dist/runner.js when compiled). */
export async function loadRunner(moduleUrl?: string): Promise<RunnerModule> {
  const url = moduleUrl ?? new URL("../runner.js", import.meta.url).href;
  return (await import(url)) as RunnerModule;
}
