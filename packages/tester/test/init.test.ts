// `raftlab init DIR` as a user runs it (the built dist/cli.js): the generated project builds with its
// own `npm run build` and its `npm test` runs the 3A tests on it, failing honestly (the skeleton elects
// no leader) rather than failing to load.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPES_TS } from "../src/init/templates.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");
const scratch = mkdtempSync(join(tmpdir(), "raftlab-init-"));

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const raftlab = (...args: string[]) => run(process.execPath, [cli, ...args], scratch);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("raftlab init", () => {
  it("creates a project whose build compiles and whose test runs 3A and fails honestly, exit 1", () => {
    // A space in the project's path: npm and the scripts run from there.
    const dir = join(scratch, "my raft");
    const init = raftlab("init", dir);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("npm run build");
    expect(readdirSync(join(dir, "src")).sort()).toEqual(["console.d.ts", "raft.ts", "types.ts"]);

    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type: string; scripts: Record<string, string> };
    expect(pkg.type).toBe("module");
    expect(pkg.scripts.test).toContain(join(root, "packages/tester/bin/raftlab.js"));
    expect(pkg.scripts.test).toContain("run 3A --impl dist/raft.js");
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as Record<string, unknown>;
    expect(tsconfig.extends).toBeUndefined();
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(join(root, "packages/tester/bin/raftlab.js"));

    const build = run(npm, ["run", "build"], dir);
    expect(build.stderr + build.stdout).not.toMatch(/error TS/);
    expect(build.code).toBe(0);
    expect(existsSync(join(dir, "dist/raft.js"))).toBe(true);

    const test = run(npm, ["test"], dir);
    const out = test.stdout + test.stderr;
    expect(out).not.toMatch(/cannot load/i);
    expect(out).toMatch(/^--- FAIL: TestInitialElection3A /m);
    expect(out).toContain("expected one leader, got none");
    expect(out).toMatch(/^0 passed, 3 failed$/m);
    expect(test.code).toBe(1);
  });

  it("copies every type of the lab interface (packages/raft/src/api.ts) into src/types.ts", () => {
    const api = readFileSync(join(root, "packages/raft/src/api.ts"), "utf8");
    const names = [...api.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    // Raft (the service half) is folded into RaftPeer in the copy.
    for (const name of names.filter((n) => n !== "Raft")) expect(TYPES_TS).toMatch(new RegExp(`^export (?:interface|type) ${name}\\b`, "m"));
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
    expect(readdirSync(dir).sort()).toEqual([".gitignore", "README.md", "notes.txt", "package.json", "src", "tsconfig.json"]);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
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
