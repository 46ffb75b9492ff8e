#!/usr/bin/env node
// The logviz bin. It lives outside dist so pnpm can link it on a fresh clone, before anything is built;
// it loads the compiled CLI, and says so in one line when there is none yet.
//
// `logviz FILE` on a terminal (one argument, no options) first paints the view's first frame from the
// file's first bytes, loading only the modules that draw it (dist/first-frame.js), then loads the CLI,
// which keeps that screen and takes over: the first screen shows in about the time `less` takes.
const args = process.argv.slice(2);
try {
  if (args.length === 1 && !args[0].startsWith("-") && process.stdout.isTTY && process.stdin.isTTY) {
    const { paintEarly } = await import("../dist/first-frame.js");
    try {
      paintEarly(args);
    } catch {
      // Nothing lost: the CLI draws its first frame itself.
    }
  }
  await import("../dist/cli.js");
} catch (err) {
  const missing = err?.code === "ERR_MODULE_NOT_FOUND" && /\/dist\/(cli|first-frame)\.js/.test(String(err.message));
  if (!missing) throw err;
  console.error("logviz: not built yet; run `pnpm build` (or `pnpm test`) in the repository first");
  process.exit(1);
}
