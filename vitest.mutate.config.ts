// The vitest config `pnpm mutate` (stryker.config.mjs) runs: the core's own tests (unit tests and
// transcripts, which drive RaftCore directly), against the sources. The driver, cluster and stress
// tests (and persist-checksum, which runs a cluster) cover nearly every mutant too and are slow,
// which made a run take hours on 2 cores.
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
    include: ["packages/raft/test/core-*.test.ts", "packages/raft/test/transcripts.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
