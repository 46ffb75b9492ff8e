// @raftlab/tester: the 6.5840 Raft lab tester on a deterministic simulator.

export { TESTS, matchTests, runTest, loadImpl, UnknownPatternError, ImplLoadError, TEST_LIMIT_MS } from "./runner.js";
export type { TestSpec, Part, RunOptions, RunResult, RunFailure, FailureKind, RunWarning } from "./runner.js";
export { INVARIANTS, InvariantChecker, type InvariantName, type Violation } from "./invariants/checker.js";
export { readAppendEntries, type AppendEntriesView } from "./invariants/append-entries.js";
export { Simulator } from "./sim/simulator.js";
export { Network } from "./net/network.js";
export { SimPersister } from "./net/persister.js";
export * from "./batch/index.js";
export { CONFORM_CASES, runConformance, type ConformCase, type ConformOptions, type ConformResult } from "./conform/run.js";
