// Issue 10: nothing from data may drive the terminal. The corpus of packages/raft/test/fixtures/
// hostile-text.ts (OSC 0/2/8/52, CSI ?1049h and 2J, DCS, C1, bidi, NUL/BS/CR/DEL) is pushed through the
// output paths of every command (raftlab run, batch, triage, merge, conform, stress, and logviz), as
// file names, report fields, test patterns, an --impl's error messages and console output, and a stress
// command's output. No ESC, C0 (but TAB/LF), DEL, C1 or bidi/format control may reach stdout or stderr.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findForbidden, HOSTILE_TEXT } from "../../raft/test/fixtures/hostile-text.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const raftlabBin = join(root, "packages/tester/bin/raftlab.js");
const logvizBin = join(root, "packages/logviz/bin/logviz.js");
const oscImpl = join(root, "packages/tester/test/fixtures/hostile/osc-error.mjs");
const dir = mkdtempSync(join(tmpdir(), "raftlab-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A file-name-safe part of the corpus (no NUL or "/", which no file name can hold).
const NAME = HOSTILE_TEXT.replace(/[\x00/]/g, "");

function run(bin: string, args: readonly string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 120_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function expectClean(label: string, r: { out: string }): void {
  expect(findForbidden(r.out), label).toBeNull();
}

/** A batch report whose every string field carries the corpus. */
function hostileReport(shard: { index: number; count: number } | null): string {
  const run = {
    test: `Test${HOSTILE_TEXT}`,
    seed: 1,
    ok: false,
    signature: `fail: ${HOSTILE_TEXT}`,
    kind: "fail",
    message: HOSTILE_TEXT,
    invariant: HOSTILE_TEXT,
    virtualMs: 1,
    wallMs: 1,
    rpcs: 1,
    bytes: 1,
    cmds: 1,
    peers: 3,
    trace: `${NAME}.jsonl`,
    log: `${NAME}.log`,
    traceTruncated: false,
  };
  return JSON.stringify({
    format: "raftlab-batch-report",
    version: 1,
    impl: `/x/${NAME}.js`,
    shard,
    outDir: `/out/${NAME}`,
    workers: 1,
    startedAt: HOSTILE_TEXT,
    elapsedMs: 1,
    interrupted: false,
    runs: [run],
    omittedPassingRuns: 0,
    replayChecks: [{ test: run.test, seed: 1, signature: run.signature, verdict: "differs", detail: HOSTILE_TEXT }],
    error: HOSTILE_TEXT,
  });
}

describe("hostile text never reaches the terminal (issue 10)", () => {
  it("raftlab run: an --impl whose errors and console output carry the corpus; a hostile pattern; a hostile --trace path", () => {
    expectClean("run --impl osc-error", run(raftlabBin, ["run", "TestBasicAgree3B", "--impl", oscImpl]));
    const pattern = run(raftlabBin, ["run", HOSTILE_TEXT.replace(/\x00/g, "")]);
    expect(pattern.code).toBe(2);
    expectClean("run <hostile pattern>", pattern);
    expectClean("run --trace <hostile dir>", run(raftlabBin, ["run", "InitialElection", `--trace=/nonexistent/${NAME}/t.jsonl`]));
    expectClean("run --impl <hostile path>", run(raftlabBin, ["run", "3A", "--impl", `${NAME}.js`]));
  });

  it("raftlab batch: the same --impl (console output lands in the saved .log, not the terminal) and hostile paths", () => {
    expectClean("batch --impl osc-error", run(raftlabBin, ["batch", "TestBasicAgree3B", "-n", "1", "-q", "-o", join(dir, "b"), "--impl", oscImpl]));
    expectClean("batch --out <hostile>", run(raftlabBin, ["batch", "NoSuchTest", "-n", "1", "-o", join(dir, NAME)]));
    expectClean("batch --resume <hostile>", run(raftlabBin, ["batch", "3A", "-n", "1", "--resume", `${NAME}.json`]));
  });

  it("raftlab triage and merge: every string field of a report carries the corpus; hostile file names", () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, hostileReport({ index: 1, count: 2 }));
    writeFileSync(b, hostileReport({ index: 2, count: 2 }));
    const triage = run(raftlabBin, ["triage", a]);
    expect(triage.code).toBe(1);
    expectClean("triage <hostile report>", triage);
    expectClean("merge <hostile reports>", run(raftlabBin, ["merge", a, b]));
    expectClean("triage <hostile missing file>", run(raftlabBin, ["triage", `${NAME}.json`]));
    const named = join(dir, `${NAME}.json`);
    writeFileSync(named, `{"format": ${JSON.stringify(HOSTILE_TEXT)}}`);
    expectClean("triage <hostile name, not a report>", run(raftlabBin, ["triage", named]));
    const log = join(dir, `${NAME}.log`);
    writeFileSync(
      log,
      `# raftlab batch run\n# test: ${HOSTILE_TEXT.replace(/[\r\n]/g, "")}\n# seed: 1\n# result: fail\n# message: ${HOSTILE_TEXT.replace(/[\r\n]/g, "")}\n\n${HOSTILE_TEXT}\n`,
    );
    expectClean("triage <hostile .log>", run(raftlabBin, ["triage", log]));
  });

  it("unknown flags and commands that carry the corpus, on every command", () => {
    const flag = `--x${HOSTILE_TEXT.replace(/\x00/g, "")}`;
    for (const cmd of [["run"], ["batch"], ["triage"], ["merge"], ["conform"], ["stress"], ["list"]]) {
      const r = run(raftlabBin, [...cmd, flag]);
      expect(r.code, cmd.join(" ")).toBe(2);
      expectClean(`raftlab ${cmd.join(" ")} <hostile flag>`, r);
    }
    expectClean("raftlab <hostile command>", run(raftlabBin, [HOSTILE_TEXT.replace(/\x00/g, "")]));
    const lv = run(logvizBin, ["--print", flag]);
    expect(lv.code).toBe(2);
    expectClean("logviz <hostile flag>", lv);
  });

  it("raftlab conform: an --impl whose errors carry the corpus", () => {
    expectClean("conform --impl osc-error", run(raftlabBin, ["conform", "--impl", oscImpl]));
  });

  it("raftlab stress: a command whose output and failure line carry the corpus", () => {
    const script = join(dir, "noisy.mjs");
    writeFileSync(script, `process.stdout.write(${JSON.stringify(`--- FAIL: TestX (0.00s)\n    x_test.go:1: ${HOSTILE_TEXT}\n`)}); process.exit(1);\n`);
    const r = run(raftlabBin, ["stress", "-n", "2", "-j", "1", "-o", join(dir, "s"), "--", process.execPath, script]);
    expect(r.code).toBe(1);
    expectClean("stress <hostile output>", r);
    expectClean("triage <stress folder>", run(raftlabBin, ["triage", join(dir, "s")]));
  });

  it("logviz: hostile lines (JSON and text) and hostile file names, in --print mode", () => {
    const lines = [
      JSON.stringify({ t: 1, src: 0, term: 1, state: "leader", op: "Log", topic: "LOG1", msg: HOSTILE_TEXT }),
      JSON.stringify({ t: 2, src: 1, term: 1, state: HOSTILE_TEXT, op: HOSTILE_TEXT, topic: HOSTILE_TEXT, msg: "x" }),
      `001234 VOTE S1 ${HOSTILE_TEXT}`,
      HOSTILE_TEXT,
    ].join("\n");
    const file = join(dir, `${NAME}.jsonl`);
    writeFileSync(file, `${lines}\n`);
    expectClean("logviz --print <hostile file>", run(logvizBin, ["--print", file]));
    expectClean("logviz --print (stdin)", run(logvizBin, ["--print"], `${lines}\n`));
    const missing = run(logvizBin, ["--print", join(dir, `missing-${NAME}`)]);
    expect(missing.code).not.toBe(0);
    expectClean("logviz <hostile missing file>", missing);
    expectClean("logviz <hostile flag value>", run(logvizBin, ["--print", "--term", HOSTILE_TEXT.replace(/\x00/g, ""), file]));
  });
});
