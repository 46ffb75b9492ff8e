import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, so a test never sees a stale build of a sibling package.
    // A subpath alias must come before its package's alias, which would otherwise match it as a prefix.
    alias: {
      "@raftlab/raft/trace": fileURLToPath(new URL("./packages/raft/src/trace-contract.ts", import.meta.url)),
      "@raftlab/raft/terminal": fileURLToPath(new URL("./packages/raft/src/terminal/index.ts", import.meta.url)),
      "@raftlab/raft": src("raft"),
      "@raftlab/logviz/html": fileURLToPath(new URL("./packages/logviz/src/html/index.ts", import.meta.url)),
      "@raftlab/tester": src("tester"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "packages/*/test/**/*.test.tsx"],
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one file at a time. Most of
    // the suite waits on child processes (raftlab, logviz, tmux, npm, go, chromium), so one worker per
    // core keeps both cores busy; every test is written to pass on a loaded machine.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // RAFT_TRACE=1: the lab-suite runs' traces go to stdout through one writer (see
    // packages/tester/test/trace/trace-reporter.ts), so lines from parallel workers never interleave.
    reporters: process.env.RAFT_TRACE === "1" ? ["default", "./packages/tester/test/trace/trace-reporter.ts"] : ["default"],
  },
});
