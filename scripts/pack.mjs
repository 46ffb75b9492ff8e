// `pnpm pack`s raftlab's three packages into one folder (default packs/, or the first argument):
// publish-ready tarballs with dist/, bin, types, README, LICENSE and engines. `pnpm pack` (not `npm pack`)
// because it rewrites the workspace:* dependencies between the packages to their versions. Each package's
// prepack step builds it first. Prints the tarballs and the command that installs them globally.
//
// Usage: node scripts/pack.mjs [DIR]
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dest = resolve(process.argv[2] ?? join(root, "packs"));
mkdirSync(dest, { recursive: true });
const tarballs = [];
for (const pkg of ["raft", "logviz", "tester"]) {
  const r = spawnSync("pnpm", ["pack", "--pack-destination", dest], { cwd: join(root, "packages", pkg), encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`pack: pnpm pack failed in packages/${pkg} (exit ${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
    process.exit(1);
  }
  const tgz = r.stdout
    .trim()
    .split("\n")
    .findLast((l) => l.endsWith(".tgz"));
  if (tgz === undefined) {
    process.stderr.write(`pack: pnpm pack in packages/${pkg} named no tarball:\n${r.stdout}`);
    process.exit(1);
  }
  tarballs.push(resolve(tgz));
}
for (const t of tarballs) console.log(t);
console.log(`install them (all three in one command): npm install -g ${tarballs.join(" ")}`);
