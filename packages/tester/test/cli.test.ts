// The raftlab CLI as a user runs it (the built dist/cli.js; the test command builds first): output,
// exit codes, one-line usage errors, traces on stdout or in a file, --impl, --pace.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");
const fixture = (name: string): string => join(root, "packages/tester/test/fixtures", name);

function raftlab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string): string[] => s.split("\n").filter((l) => l !== "");

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
});

describe("raftlab list", () => {
  it("lists the 28 tests with part, servers and a description", () => {
    const r = raftlab("list");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(28);
    expect(out[0]).toMatch(/^TestInitialElection3A +3A {2}3 servers {2}\S/);
    expect(out.at(-1)).toMatch(/^TestSnapshotInit3D +3D {2}3 servers/);
  });
});

describe("raftlab run", () => {
  it("prints the lab's lines and a last line 'N passed, N failed', exit 0", () => {
    const r = raftlab("run", "3A", "--seed", "2");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe("Test (3A): initial election ...");
    expect(out.filter((l) => l.startsWith("  ... Passed --"))).toHaveLength(3);
    expect(out.at(-1)).toBe("3 passed, 0 failed");
  });

  it("an unknown pattern, a bad flag or a bad seed is one line on stderr and exit 2", () => {
    for (const args of [
      ["run", "NoSuchTest"],
      ["run", "--bogus"],
      ["run", "3A", "--seed", "x"],
      ["run", "3A", "--pace", "0"],
    ]) {
      const r = raftlab(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(lines(r.stderr), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^raftlab run: /);
    }
    expect(raftlab("run", "NoSuchTest").stderr).toBe('raftlab run: no test matches "NoSuchTest" (try: raftlab list)\n');
  });

  it("--trace writes only JSON lines to stdout, TestBegin first and TestEnd last; the lab lines go to stderr", () => {
    const r = raftlab("run", "InitialElection", "--seed", "3", "--trace");
    expect(r.code).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l) as { op: string; test?: string; seed?: number; ok?: boolean });
    expect(events.length).toBeGreaterThan(100);
    expect(events[0]).toMatchObject({ op: "TestBegin", test: "TestInitialElection3A", seed: 3 });
    // The lab's result lines follow as harness Output events (for a reader such as logviz), without wall times.
    const run = events.filter((e) => e.op !== "Output");
    expect(run.at(-1)).toMatchObject({ op: "TestEnd", ok: true });
    const outputs = events.filter((e) => e.op === "Output").map((e) => (e as { msg?: string }).msg);
    expect(outputs.at(-1)).toBe("1 passed, 0 failed");
    expect(outputs.some((m) => /^ {2}\.\.\. Passed --/.test(m ?? "") && !/wall/.test(m ?? ""))).toBe(true);
    expect(lines(r.stderr).at(-1)).toBe("1 passed, 0 failed");
  });

  it("--trace FILE writes the trace to the file, and the same seed gives the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftlab-cli-"));
    const a = join(dir, "a.jsonl");
    const b = join(dir, "b.jsonl");
    expect(raftlab("run", "ReElection", "--seed", "4", "--trace", a).stdout).toMatch(/1 passed, 0 failed\n$/);
    raftlab("run", "ReElection", "--seed", "4", "--trace", b);
    expect(readFileSync(a, "utf8").length).toBeGreaterThan(1000);
    expect(readFileSync(b, "utf8")).toBe(readFileSync(a, "utf8"));
  });

  it("--pace runs on the wall clock and gives the same trace", () => {
    const t0 = performance.now();
    const paced = raftlab("run", "InitialElection", "--trace", "--pace", "30");
    const wall = performance.now() - t0;
    expect(paced.stdout).toBe(raftlab("run", "InitialElection", "--trace").stdout);
    expect(wall).toBeGreaterThan(80); // About 3 s of virtual time at 30x.
  });

  it("a failing run prints its seed and the exact replay command, last line counts it, exit 1", () => {
    const impl = fixture("never-commits.mjs");
    const r = raftlab("run", "TestBasicAgree3B", "--seed", "5", "--impl", impl);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out).toContain("    one(100) failed to reach agreement");
    expect(out).toContain(`    seed 5; replay: raftlab run TestBasicAgree3B --seed 5 --impl ${impl} --trace | logviz`);
    expect(out.at(-1)).toBe("0 passed, 1 failed");
  });

  it("--impl with a module that cannot load or exports no make() is one line and exit 2", () => {
    const missing = raftlab("run", "3A", "--impl", "no/such/module.js");
    expect(missing.code).toBe(2);
    expect(lines(missing.stderr)).toHaveLength(1);
    expect(missing.stderr).toMatch(/^raftlab run: --impl: cannot load no\/such\/module\.js: /);
    const noMake = raftlab("run", "3A", "--impl", fixture("no-make.mjs"));
    expect(noMake.code).toBe(2);
    expect(noMake.stderr).toMatch(/exports no make\(\) function/);
    const ts = raftlab("run", "3A", "--impl", fixture("mutants/load.ts"));
    expect(ts.code).toBe(2);
    expect(lines(ts.stderr)).toHaveLength(1);
    expect(ts.stderr).toMatch(/Node cannot run TypeScript; compile it .* --impl dist\/load\.js$/m);
  });

  it('--impl accepts compiled CommonJS under a "type": "module" package (tsc\'s CommonJS output and module.exports)', () => {
    for (const name of ["cjs/tsc-commonjs.js", "cjs/module-exports.js", "cjs/exports-make.cjs"]) {
      const r = raftlab("run", "TestInitialElection3A", "--impl", fixture(name));
      // Each fixture's peer 0 is a fixed leader that never changes term, which is all InitialElection checks.
      expect(r.stderr, name).not.toMatch(/cannot load/);
      expect(r.code, name).toBe(0);
      expect(lines(r.stdout + r.stderr).at(-1), name).toBe("1 passed, 0 failed");
    }
  });

  it("--impl runs the example Raft module from examples/ (compiled as the docs say)", () => {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "examples/simple-raft")], { cwd: root });
    const r = raftlab("run", "3A", "--impl", "examples/simple-raft/dist/raft.js");
    expect(r.code).toBe(0);
    expect(lines(r.stdout).at(-1)).toBe("3 passed, 0 failed");
  });
});
