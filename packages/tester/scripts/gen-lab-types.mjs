#!/usr/bin/env node
// Build step (run by `pnpm build` before tsc): writes packages/tester/src/init/lab-types.generated.ts,
// the src/types.ts that `raftlab init` gives a project, from packages/raft/src/api.ts. The copy is
// api.ts itself under a header, with its one import (TraceSink) taken from "@raftlab/raft", the
// package the project depends on. test/init.test.ts checks the committed file against api.ts.
//   node packages/tester/scripts/gen-lab-types.mjs [--check]   --check: exit 1 if the file is stale

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

export const API_TS = fileURLToPath(new URL("../../raft/src/api.ts", import.meta.url));
export const GENERATED_TS = fileURLToPath(new URL("../src/init/lab-types.generated.ts", import.meta.url));

/** The header of the project's src/types.ts. */
export const TYPES_HEADER =
  "// The lab interface between your Raft and the raftlab tester: @raftlab/raft's api.ts, copied here by\n" +
  '// `raftlab init` so that you can read it beside your code (types only; "@raftlab/raft" exports the same).\n\n';

/** The project's src/types.ts, from the text of api.ts. */
export function labTypesSource(apiText) {
  const imports = apiText.match(/^import .*$/gm) ?? [];
  for (const line of imports) {
    if (!/^import type \{ [\w, ]+ \} from "\.\/[\w-]+\.js";$/.test(line))
      throw new Error(`api.ts: cannot rewrite the import ${JSON.stringify(line)} (types from the package's own files only)`);
  }
  return TYPES_HEADER + apiText.replace(/^(import type \{ [\w, ]+ \} from )"\.\/[\w-]+\.js";$/gm, '$1"@raftlab/raft";');
}

/** The generated TypeScript module holding that text. */
export function generatedModule(apiText) {
  return (
    "// Generated from packages/raft/src/api.ts by packages/tester/scripts/gen-lab-types.mjs (`pnpm build`\n" +
    "// runs it): do not edit. The src/types.ts that `raftlab init` writes.\n\n" +
    `export const LAB_TYPES_TS = ${JSON.stringify(labTypesSource(apiText))};\n`
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const want = generatedModule(readFileSync(API_TS, "utf8"));
  let have = null;
  try {
    have = readFileSync(GENERATED_TS, "utf8");
  } catch {
    // missing: written below
  }
  if (process.argv.includes("--check")) {
    if (have !== want) {
      console.error(`${GENERATED_TS} is stale: run pnpm build`);
      process.exit(1);
    }
  } else if (have !== want) {
    writeFileSync(GENERATED_TS, want);
  }
}
