#!/usr/bin/env node
// The raftlab bin. It lives outside dist so pnpm can link it on a fresh clone, before anything is built;
// it only loads the compiled CLI, and says so in one line when there is none yet.
try {
  await import("../dist/cli.js");
} catch (err) {
  const missing = err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("/dist/cli.js");
  if (!missing) throw err;
  console.error("raftlab: not built yet; run `pnpm build` (or `pnpm test`) in the repository first");
  process.exit(1);
}
