// The CLI and end-to-end tests run the real built binary. `pnpm test` runs `tsc -b` first; when a test
// is run on its own, build here if dist is missing or older than the sources.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const PKG = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = join(PKG, "..", "..");
export const CLI = join(PKG, "dist", "cli.js");

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureBuilt(): void {
  // tsc -b re-emits only what changed, so compare the newest output with the newest source.
  const stale = !existsSync(CLI) || newest(join(PKG, "dist")) < newest(join(PKG, "src"));
  if (stale) execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-b", PKG], { cwd: ROOT, stdio: "inherit" });
}
