// raftlab as npm users get it, with plain npm (no pnpm, no workspace). Slow: npm installs the packages'
// dependencies (ink, react, commander, TypeScript, @types/node) from the registry, so each case does one
// install (the second project's install reuses npm's cache). Two ways in:
//   1. `raftlab init` from this checkout: the project installs, builds, runs its tests (the replay lines
//      start with `npx raftlab`), calls createDebug, and pipes a traced run into `npx logviz`;
//   2. `pnpm pack`ed tarballs (scripts/pack.mjs) installed globally into a temporary prefix: `raftlab run`,
//      `logviz --print`, and `raftlab init` from there (which packs its own installed folders).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");
const scratch = mkdtempSync(join(tmpdir(), "raftlab-install-"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 540_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
/** A shell pipeline, as a user types it. */
const pipeline = (line: string, cwd: string, env: NodeJS.ProcessEnv = {}): Ran => sh("sh", ["-c", line], cwd, env);
const npmInstall = (cwd: string, ...args: string[]): Ran => sh(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", ...args], cwd);
const ok = (r: Ran, what: string): void => expect(r.code, `${what}:\n${r.stdout}\n${r.stderr}`).toBe(0);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("raftlab installed with plain npm", () => {
  it("a project from `raftlab init` in this checkout installs, builds, tests, debugs and traces into logviz", () => {
    const dir = join(scratch, "my raft");
    ok(sh(process.execPath, [cli, "init", dir], scratch), "raftlab init");
    ok(npmInstall(dir), "npm install");
    // Copies from the tarballs, not links into this checkout.
    for (const p of ["raft", "tester", "logviz"]) expect(lstatSync(join(dir, "node_modules/@raftlab", p)).isSymbolicLink(), p).toBe(false);

    const build = sh(npm, ["run", "build"], dir);
    expect(build.stdout + build.stderr).not.toMatch(/error TS/);
    ok(build, "npm run build");

    // The skeleton elects no leader: the 3A tests fail honestly, and each replay line pastes in a shell here.
    const test = sh(npm, ["test"], dir);
    const out = test.stdout + test.stderr;
    expect(out).not.toMatch(/cannot load/i);
    expect(out).toMatch(/^--- FAIL: TestInitialElection3A /m);
    expect(out).toContain("expected one leader, got none");
    expect(out).toMatch(/^0 passed, 3 failed$/m);
    expect(test.code).toBe(1);
    const replay = /replay: (npx raftlab run TestInitialElection3A --seed 1 --impl dist\/raft\.js --trace \| npx logviz)$/m.exec(out)?.[1];
    expect(replay).toBeDefined();

    // The pasted replay line, with logviz printing instead of taking the screen: createDebug's line from
    // each peer's constructor is in the trace.
    const traced = pipeline(`${(replay as string).replace(/npx logviz$/, "npx logviz --print")}`, dir);
    expect(traced.stdout).toMatch(/TestInitialElection3A/);
    expect(traced.stdout.match(/started in T0/g)?.length).toBe(3);
  }, 600_000);

  it("the pnpm-packed tarballs install globally; raftlab run, logviz --print and raftlab init work from there", () => {
    const packs = join(scratch, "packs");
    const packed = sh(process.execPath, [join(root, "scripts/pack.mjs"), packs], root);
    ok(packed, "scripts/pack.mjs");
    const tarballs = packed.stdout.split("\n").filter((l) => l.startsWith(packs) && l.endsWith(".tgz"));
    expect(tarballs.map((t) => t.slice(packs.length + 1))).toEqual(["raftlab-raft-0.1.0.tgz", "raftlab-logviz-0.1.0.tgz", "raftlab-tester-0.1.0.tgz"]);
    for (const tgz of tarballs) {
      const files = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" }).split("\n");
      const pkg = JSON.parse(execFileSync("tar", ["-xOzf", tgz, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>;
      expect(JSON.stringify(pkg), tgz).not.toContain("workspace:");
      expect(pkg["engines"]).toEqual({ node: ">=20" });
      expect(pkg["license"]).toBe("MIT");
      expect(pkg["private"]).toBeUndefined();
      for (const f of ["package/LICENSE", "package/README.md", "package/dist/index.js", "package/dist/index.d.ts"]) expect(files, `${tgz}: ${f}`).toContain(f);
      for (const bin of Object.values((pkg["bin"] ?? {}) as Record<string, string>)) expect(files).toContain(`package/${bin.replace(/^\.\//, "")}`);
    }

    const prefix = join(scratch, "prefix");
    ok(npmInstall(scratch, "-g", "--prefix", prefix, ...tarballs), "npm install -g");
    const bin = join(prefix, "bin");
    const env = { PATH: `${bin}:${process.env["PATH"] ?? ""}` };
    const run3A = sh(join(bin, "raftlab"), ["run", "3A"], scratch, env);
    ok(run3A, "raftlab run 3A");
    expect(run3A.stdout).toMatch(/^3 passed, 0 failed$/m);
    const viz = pipeline("raftlab run TestInitialElection3A --trace | logviz --print", scratch, env);
    ok(viz, "raftlab run --trace | logviz --print");
    expect(viz.stdout).toMatch(/TestEnd +TestInitialElection3A passed/);

    // init from an installed raftlab (no checkout): it packs its own installed folders.
    const dir = join(scratch, "from-global");
    ok(sh(join(bin, "raftlab"), ["init", dir], scratch, env), "raftlab init (installed)");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies["@raftlab/tester"]).toBe("file:vendor/raftlab-tester-0.1.0.tgz");
    ok(npmInstall(dir), "npm install (project from the installed raftlab)");
    ok(sh(npm, ["run", "build"], dir), "npm run build");
    const test = sh(npm, ["test"], dir);
    expect(test.stdout).toMatch(/^0 passed, 3 failed$/m);
  }, 600_000);
});
