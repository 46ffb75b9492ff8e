// raftlab's packages as npm tarballs in a project's vendor/ folder, so that `raftlab init`'s project
// installs them like any npm dependency (`file:vendor/...`) and outlives the raftlab that created it.
//
// One way for both places raftlab runs from: its package folders are found by Node resolution from this
// package (the checkout's packages/*, or where npm installed them), each is staged in a temporary folder
// (its package.json and the files it publishes) with `workspace:` dependency specs rewritten to the
// versions of the packages found, as `pnpm pack` does, and `npm pack --ignore-scripts` packs the stages.
// Installed from tarballs there is nothing to rewrite; in a checkout, the stage keeps its files untouched.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { moveFileAtomic } from "../runs/atomic.js";

/** The three packages a project depends on. */
export const VENDORED = ["raft", "tester", "logviz"] as const;
export type VendoredPackage = (typeof VENDORED)[number];

/** A failure to find or pack raftlab's packages (exit 1: the installation, not the user's input). */
export class VendorError extends Error {}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;

/** Where each package's folder is: this package's, and the others as this package resolves them. */
export function locatePackages(): Record<VendoredPackage, string> {
  // The same depth from src/init/ and dist/init/.
  const tester = fileURLToPath(new URL("../..", import.meta.url));
  const require = createRequire(join(tester, "package.json"));
  const find = (name: string): string => {
    try {
      return dirname(require.resolve(`${name}/package.json`));
    } catch {
      throw new VendorError(`cannot find ${name} beside ${tester} (install raftlab's three packages together)`);
    }
  };
  return { raft: find("@raftlab/raft"), tester, logviz: find("@raftlab/logviz") };
}

/** package.json with `workspace:` specs of the vendored packages replaced by their versions. */
function publishedManifest(pkg: PackageJson, versions: ReadonlyMap<string, string>): PackageJson {
  const deps: Record<string, string> = {};
  for (const [name, spec] of Object.entries(pkg.dependencies ?? {})) {
    if (!spec.startsWith("workspace:")) {
      deps[name] = spec;
      continue;
    }
    const version = versions.get(name);
    if (version === undefined) throw new VendorError(`${pkg.name} depends on ${name} (${spec}), which is not one of raftlab's packages`);
    deps[name] = version;
  }
  // Development-only fields: a tarball's user needs neither (and the build script needs the checkout).
  const { devDependencies: _dev, scripts: _scripts, ...rest } = pkg;
  return { ...rest, dependencies: deps };
}

/** Copies what the package publishes (its `files`, package.json rewritten) into `stage`. */
function stagePackage(dir: string, stage: string, versions: ReadonlyMap<string, string>): void {
  const pkg = readPackage(dir);
  if (!existsSync(join(dir, "dist"))) throw new VendorError(`${dir} has no dist/: build raftlab first (pnpm build)`);
  mkdirSync(stage, { recursive: true });
  for (const entry of pkg.files ?? []) {
    if (entry.startsWith("!") || /[*?]/.test(entry) || !existsSync(join(dir, entry))) continue;
    cpSync(join(dir, entry), join(stage, entry), { recursive: true });
  }
  writeFileSync(join(stage, "package.json"), JSON.stringify(publishedManifest(pkg, versions), null, 2) + "\n");
}

/**
 * Packs the packages into `vendorDir` and returns each tarball's file name there. Needs `npm` on the
 * PATH (it comes with Node); runs no package scripts.
 */
export function vendorPackages(vendorDir: string, dirs: Record<VendoredPackage, string> = locatePackages()): Record<VendoredPackage, string> {
  const versions = new Map<string, string>();
  for (const p of VENDORED) {
    const pkg = readPackage(dirs[p]);
    versions.set(pkg.name, pkg.version);
  }
  const staging = mkdtempSync(join(tmpdir(), "raftlab-vendor-"));
  try {
    const stages = VENDORED.map((p) => join(staging, p));
    VENDORED.forEach((p, i) => stagePackage(dirs[p], stages[i] as string, versions));
    mkdirSync(vendorDir, { recursive: true });
    // npm pack writes into a folder of its own; each tarball is then moved into vendor/ atomically,
    // replacing (never writing through) a link of the same name there.
    const packed = join(staging, "packed");
    mkdirSync(packed);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", packed, ...stages], {
      encoding: "utf8",
      cwd: staging,
      shell: process.platform === "win32",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error !== undefined) throw new VendorError(`cannot run npm pack: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
    if (r.status !== 0) throw new VendorError(`npm pack failed (exit ${r.status ?? r.signal}): ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 300)}`);
    const list = JSON.parse(r.stdout) as readonly { readonly filename: string }[];
    if (list.length !== VENDORED.length) throw new VendorError(`npm pack wrote ${list.length} tarballs, expected ${VENDORED.length}`);
    const names = list.map((x) => x.filename);
    for (const name of names) moveFileAtomic(join(packed, name), join(vendorDir, name));
    return { raft: names[0] as string, tester: names[1] as string, logviz: names[2] as string };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
