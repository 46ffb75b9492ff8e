// The vitest config `pnpm mutate` (stryker.config.mjs) runs: the raft package's tests only, against
// its sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@raftlab/raft/trace": fileURLToPath(new URL("./packages/raft/src/trace-contract.ts", import.meta.url)),
      "@raftlab/raft": fileURLToPath(new URL("./packages/raft/src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["packages/raft/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
