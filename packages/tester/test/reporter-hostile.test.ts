// Issue 20 §6: the reporter never crashes on what the impl throws or returns, a promise that never
// settles is a timeout, a bad getState() or ApplyMsg is named, and JSON output escapes C1 controls.

import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { escapeJsonC1, formatTraceEvent } from "@raftlab/raft";
import { describeCrash } from "../src/harness/failure.js";
import { oneLine } from "../src/conform/peer.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cli = join(root, "packages/tester/dist/cli.js");
const logviz = join(root, "packages/logviz/dist/cli.js");
const hostile = (f: string): string => join(root, "packages/tester/test/fixtures/hostile", f);
const tmp = mkdtempSync(join(tmpdir(), "raftlab-reporter-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function node(script: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const boom = (): never => {
  throw new Error("trap");
};

describe("describing what the Raft threw never throws", () => {
  it("a Proxy whose every trap throws", () => {
    const p = new Proxy({}, { get: boom, getPrototypeOf: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
    expect(describeCrash(p)).toBe("threw a non-Error value: (the value cannot be turned into text: converting it threw)");
    expect(() => oneLine(p)).not.toThrow();
  });

  it("an Error whose name, message, stack and toString getters throw", () => {
    const e = new Error("x");
    for (const key of ["stack", "name", "message", "toString"]) Object.defineProperty(e, key, { get: boom });
    expect(describeCrash(e)).toBe("Error: (reading its message threw)");
    expect(() => oneLine(e)).not.toThrow();
  });
});

describe("raftlab run names the Raft's bad values", () => {
  for (const f of ["throws-proxy.mjs", "throws-getters.mjs"]) {
    it(`${f}: a FAIL line and the replay command`, () => {
      const r = node(cli, "run", "BasicAgree", "--impl", hostile(f));
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /--- FAIL: TestBasicAgree3B .*\n {4}\[crash\] .*\n {4}seed 1; replay: raftlab run TestBasicAgree3B --seed 1 --impl .*\n0 passed, 1 failed\n$/,
      );
    }, 200_000);
  }

  it("getState() returning NaN: the failure names NaN, not a TypeError of the tester", () => {
    const r = node(cli, "run", "BasicAgree", "--impl", hostile("nan-state.mjs"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/ {4}server \d: getState\(\) returned term NaN; a term is a non-negative integer\n/);
    expect(r.out).not.toMatch(/TypeError/);
  }, 200_000);

  it("an ApplyMsg with both commandValid and snapshotValid is rejected", () => {
    const r = node(cli, "run", "BasicAgree", "--impl", hostile("both-apply-kinds.mjs"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/apply error: server \d sent an ApplyMsg with both commandValid and snapshotValid set/);
  }, 200_000);
});

it("raftlab conform: a handler whose promise never settles ends as a timeout failure", () => {
  const r = node(cli, "conform", "RequestVote 1", "--impl", hostile("never-settles.mjs"));
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/^✗ RequestVote 1: .* -- \[timeout\] the case waits on the peer under test and nothing is left to happen/);
  expect(r.out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
}, 200_000);

describe("JSON lines escape C1 controls (U+0080-U+009F)", () => {
  it("formatTraceEvent writes them as \\u escapes, and the line parses to the same event", () => {
    const e = { t: 0, src: -1, term: -1, state: "none", op: "Output", topic: "TEST", msg: "a\u009b31mb\u0085" } as const;
    const line = formatTraceEvent(e);
    expect(line).not.toMatch(/[\u0080-\u009f]/);
    expect(line).toContain("\\u009b31mb\\u0085");
    expect(JSON.parse(line)).toEqual(e);
    expect(escapeJsonC1('"plain"')).toBe('"plain"');
  });

  it("logviz --to jsonl escapes them", () => {
    const file = join(tmp, "c1.log");
    writeFileSync(file, "hello \u009b31m world\n");
    const r = node(logviz, file, "--to", "jsonl");
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/[\u0080-\u009f]/);
    expect(r.out).toContain("\\u009b31m");
  }, 60_000);

  it("raftlab run --trace on stdout escapes them in a thrown message", () => {
    const r = spawnSync(process.execPath, [cli, "run", "BasicAgree", "--trace", "--impl", hostile("c1-throw.mjs")], {
      cwd: root,
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\\u009b31m|\\\\x9b31m/);
    expect(r.stdout).not.toMatch(/[\u0080-\u009f]/);
  }, 200_000);
});
