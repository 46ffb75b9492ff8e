// Issue 18 §3 and §5 through the built CLI: a student's prints in `raftlab run --trace` (as Print rows
// on stdout, and as text on stderr), `--label-prints`, the `--- FAIL` row at the failure's virtual time,
// and `--impl DIR`.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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

interface Row {
  t: number;
  src: number;
  op: string;
  msg: string;
}
const rows = (stdout: string): Row[] =>
  stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Row);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
});

describe("a student's prints in raftlab run", () => {
  it("--trace: each print is a Print row on stdout and a line on stderr; the probes' copies print nothing", () => {
    const r = raftlab("run", "TestManyElections3A", "--seed", "2", "--impl", fixture("student-prints.mjs"), "--trace");
    expect(r.code).toBe(0);
    const prints = rows(r.stdout).filter((e) => e.op === "Print");
    const printed = r.stderr.split("\n").filter((l) => /^\d{6} [A-Z]{4} S\d /.test(l));
    expect(prints.length).toBeGreaterThan(10);
    expect(prints.map((e) => e.msg)).toEqual(printed);
    for (const e of prints) expect(e.src).toBe(Number(/ S(\d) /.exec(e.msg)?.[1]));
  });

  it("--label-prints prefixes each printed line with its peer and virtual time", () => {
    const r = raftlab("run", "TestInitialElection3A", "--impl", fixture("student-prints.mjs"), "--label-prints");
    expect(r.code).toBe(0);
    const printed = r.stdout.split("\n").filter((l) => / [A-Z]{4} S\d /.test(l));
    expect(printed.length).toBeGreaterThan(3);
    for (const l of printed) expect(l).toMatch(/^\[S(\d) \d+\.\d{3}s\] \d{6} [A-Z]{4} S\1 /);
  });
});

describe("issue 18 §5", () => {
  it("a `--- FAIL` row of a Raft that traces nothing is at the failure's virtual time, not 0", () => {
    const r = raftlab("run", "TestBasicAgree3B", "--impl", fixture("never-commits.mjs"), "--trace");
    expect(r.code).toBe(1);
    const events = rows(r.stdout);
    const fail = events.find((e) => e.op === "Output" && e.msg.startsWith("--- FAIL"));
    const testFail = events.find((e) => e.op === "TestFail");
    expect(testFail?.t).toBeGreaterThan(0);
    expect(fail?.t).toBe(testFail?.t);
  });

  it("--impl DIR: one line naming the file to pass instead, exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftlab-impl-dir-"));
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "raft.js"), "export function make() {}\n");
    writeFileSync(join(dir, "dist", "util.js"), "export {};\n");
    const r = raftlab("run", "3A", "--impl", join(dir, "dist"));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `raftlab run: --impl: cannot load ${join(dir, "dist")}: it is a directory; pass the compiled file, e.g. --impl ${join(dir, "dist", "raft.js")}`,
    ]);
  });
});
