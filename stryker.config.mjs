// `pnpm mutate`: StrykerJS mutation testing of the pure Raft core against the raft package's own
// tests (how many deliberate small bugs in packages/raft/src/core do they catch?). Slow (tens of
// minutes on 2 cores), so it is not part of .ci/run; docs/tester-power.md records the last score and
// the surviving mutants. Stryker 9.x: the last line that runs on Node 20 (10.x needs Node 22).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // Named, not found by the default "@stryker-mutator/*" glob, which misses it under pnpm's layout.
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutate.config.ts" },
  mutate: ["packages/raft/src/core/**/*.ts"],
  // Only what the raft tests need goes into the sandbox (not the other packages or any dist/).
  // The other packages' tsconfig.json stay: the root tsconfig references them, and vitest reads it.
  ignorePatterns: [
    "/packages/tester/*",
    "!/packages/tester/tsconfig.json",
    "/packages/logviz/*",
    "!/packages/logviz/tsconfig.json",
    "/packages/*/dist",
    "/docs",
    "/examples",
    "/scripts",
    "raftlab-out",
    "*.tsbuildinfo",
  ],
  coverageAnalysis: "perTest",
  concurrency: 1,
  timeoutMS: 60000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
