// `raftlab init DIR` as a user runs it (the built dist/cli.js): the project it writes depends on
// raftlab's packages as npm tarballs in vendor/ and holds no path into this checkout; its src/types.ts is
// api.ts (generated at build time). Installing, building and testing such a project with npm is
// package-install.test.ts (slow: it needs the registry).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPES_TS } from "../src/init/templates.js";
import { isProjectDependency } from "../src/invocation.js";
import { API_TS, GENERATED_TS, generatedModule, TYPES_HEADER } from "../scripts/gen-lab-types.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");
const scratch = mkdtempSync(join(tmpdir(), "raftlab-init-"));

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const raftlab = (...args: string[]) => run(process.execPath, [cli, ...args], scratch);

/** Every file under `dir`, relative. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, base) : [relative(base, path)];
  });
}

/** A tarball's package.json. */
const manifestOf = (tgz: string): Record<string, unknown> =>
  JSON.parse(execFileSync("tar", ["-xOzf", tgz, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("raftlab init", () => {
  it("writes a project that depends on raftlab's packages as vendored tarballs, with no path into this checkout", () => {
    // A space in the project's path: npm and the scripts run from there.
    const dir = join(scratch, "my raft");
    const init = raftlab("init", dir);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^ {2}npm install /m);
    expect(walk(dir).sort()).toEqual([
      ".gitignore",
      "README.md",
      "package.json",
      "src/raft.ts",
      "src/types.ts",
      "tsconfig.json",
      "vendor/raftlab-logviz-0.1.0.tgz",
      "vendor/raftlab-raft-0.1.0.tgz",
      "vendor/raftlab-tester-0.1.0.tgz",
    ]);

    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      type: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.type).toBe("module");
    expect(pkg.scripts).toEqual({ build: "tsc -p .", test: "raftlab run 3A --impl dist/raft.js", "test:all": "raftlab run --impl dist/raft.js" });
    expect(pkg.dependencies).toEqual({ "@raftlab/raft": "file:vendor/raftlab-raft-0.1.0.tgz" });
    expect(pkg.devDependencies).toMatchObject({
      "@raftlab/tester": "file:vendor/raftlab-tester-0.1.0.tgz",
      "@raftlab/logviz": "file:vendor/raftlab-logviz-0.1.0.tgz",
      "@types/node": expect.stringMatching(/^\^20\./) as unknown,
      typescript: expect.stringMatching(/^~5\./) as unknown,
    });

    // The vendored tarballs are installable by plain npm: real versions, not pnpm's workspace protocol.
    const tester = manifestOf(join(dir, "vendor/raftlab-tester-0.1.0.tgz"));
    expect(tester["dependencies"]).toEqual({ "@raftlab/logviz": "0.1.0", "@raftlab/raft": "0.1.0", commander: expect.any(String) as unknown });
    expect(tester["bin"]).toEqual({ raftlab: "./bin/raftlab.js" });
    expect(tester["scripts"]).toBeUndefined();
    expect(manifestOf(join(dir, "vendor/raftlab-logviz-0.1.0.tgz"))["dependencies"]).toMatchObject({ "@raftlab/raft": "0.1.0" });

    // Nothing points into this checkout: it can move or go.
    for (const file of walk(dir).filter((f) => !f.endsWith(".tgz"))) {
      expect(readFileSync(join(dir, file), "utf8"), file).not.toContain(root.replace(/\/$/, ""));
    }
    expect(readFileSync(join(dir, ".gitignore"), "utf8").split("\n")).toContain("raftlab-out/");
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { extends?: string; compilerOptions: { types: string[] } };
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions.types).toEqual(["node"]);
    expect(readFileSync(join(dir, "src/types.ts"), "utf8")).toBe(TYPES_TS);
    expect(readFileSync(join(dir, "src/raft.ts"), "utf8")).toContain('import { createDebug, type Debug } from "@raftlab/raft";');
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme).toContain("npx raftlab run 3B --impl dist/raft.js");
    expect(readme).toContain("required from 3C");
  }, 120_000);

  it("src/types.ts is packages/raft/src/api.ts under a header, its import taken from @raftlab/raft; the build keeps the copy current", () => {
    const api = readFileSync(API_TS, "utf8");
    expect(api).toContain('import type { TraceSink } from "./trace.js";');
    expect(TYPES_TS).toBe(TYPES_HEADER + api.replace('import type { TraceSink } from "./trace.js";', 'import type { TraceSink } from "@raftlab/raft";'));
    // The committed module is what the build step writes from today's api.ts.
    expect(readFileSync(GENERATED_TS, "utf8")).toBe(generatedModule(api));
    expect(() => generatedModule('import { helper } from "./util.js";\n')).toThrow(/cannot rewrite the import/);
  });

  it("replay lines start with npx only where raftlab is an npm project's dependency", () => {
    const project = join(scratch, "proj");
    mkdirSync(join(project, "node_modules/@raftlab/tester"), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}\n");
    expect(isProjectDependency(join(project, "node_modules/@raftlab/tester"))).toBe(true);
    // A global install: <prefix>/lib/node_modules/@raftlab/tester, no package.json in lib/.
    const global = join(scratch, "prefix/lib/node_modules/@raftlab/tester");
    mkdirSync(global, { recursive: true });
    expect(isProjectDependency(global)).toBe(false);
    expect(isProjectDependency(join(root, "packages/tester"))).toBe(false);
  });

  it("refuses a non-empty directory in one line, exit 2, and writes nothing; --force writes", () => {
    const dir = join(scratch, "busy");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    const r = raftlab("init", dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^raftlab init: .*busy is not empty \(use --force.*\)\n$/);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);

    const forced = raftlab("init", dir, "--force");
    expect(forced.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([".gitignore", "README.md", "notes.txt", "package.json", "src", "tsconfig.json", "vendor"]);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("--force never writes through a symbolic link: a linked file is replaced, a linked src/ or vendor/ refused (issue 20 point 4)", () => {
    const dir = join(scratch, "linked");
    mkdirSync(dir);
    const canary = join(scratch, "canary.json");
    writeFileSync(canary, "canary\n");
    for (const f of ["package.json", "tsconfig.json", "README.md"]) symlinkSync(canary, join(dir, f));
    const vendorCanary = join(scratch, "vendor-canary.tgz");
    writeFileSync(vendorCanary, "canary\n");
    mkdirSync(join(dir, "vendor"));
    const tarball = readdirSync(join(scratch, "busy", "vendor")).find((n) => n.includes("raft-")) ?? "raftlab-raft.tgz";
    symlinkSync(vendorCanary, join(dir, "vendor", tarball));
    const r = raftlab("init", dir, "--force");
    expect(r.code).toBe(0);
    expect(readFileSync(canary, "utf8")).toBe("canary\n");
    expect(readFileSync(vendorCanary, "utf8")).toBe("canary\n");
    for (const f of ["package.json", "tsconfig.json", "README.md", `vendor/${tarball}`]) expect(lstatSync(join(dir, f)).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))).toMatchObject({ name: "linked" });

    const elsewhere = join(scratch, "elsewhere");
    mkdirSync(elsewhere);
    const linkedSrc = join(scratch, "linked-src");
    mkdirSync(linkedSrc);
    symlinkSync(elsewhere, join(linkedSrc, "src"));
    const refused = raftlab("init", linkedSrc, "--force");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^raftlab init: .*linked-src\/src is a symbolic link: raftlab never writes through one[^\n]*\n$/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("refuses a file as DIR and a missing DIR in one line, exit 2", () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    for (const args of [["init", file], ["init"]]) {
      const r = raftlab(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^raftlab init: [^\n]+\n$/);
    }
  });

  it("--help describes the command; the top-level help lists it", () => {
    const r = raftlab("init", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: raftlab init \[options\] <dir>/);
    expect(r.stdout).toContain("--force");
    expect(raftlab("--help").stdout).toMatch(/^ {2}init \[options\] <dir> /m);
  });
});
