// `raftlab stress` on a lab-shaped Go module (gomod-lab/: package raft with a config.go-style tester)
// with the real `go` toolchain: a failure line carrying 5,000 random characters groups with the same
// failure carrying a number, go test's own -timeout is the timeout of the test it stopped (with -v and
// without), and a process a test starts in its own session (setsid) does not outlive its iteration, and
// is counted. Go is required, as in go-e2e.test.ts (.ci/run installs it).

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStressReport } from "../../src/stress/report.js";
import type { StressRun } from "../../src/stress/results.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const gomod = fileURLToPath(new URL("./gomod-lab", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-go-lab-e2e-"));
const mod = join(dir, "lab");
const pkg = join(mod, "raft");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Iterations 1..4: test_test.go's rules say what fails where. */
const ITERATIONS = 4;
/** go test's own -timeout: far above the tests' own time (they return at once), only TestHang3B meets it. */
const GO_TIMEOUT = "3s";

const goEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: "1",
  GOTOOLCHAIN: "local",
  GOPROXY: "off",
  GOFLAGS: "",
  ...(process.env["HOME"] === undefined && process.env["GOCACHE"] === undefined ? { GOCACHE: join(dir, "gocache") } : {}),
};

function run(argv: string[], cwd = mod): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", cwd, env: goEnv, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
}

/** Live processes (not zombies) whose working directory is `path`: the setsid sleeps run in the package's. */
function processesIn(path: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== path) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z") found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function stressOf(
  name: string,
  extra: string[],
  goArgs: string[],
): { code: number | null; stdout: string; stderr: string; runs: readonly StressRun[]; killed: readonly { iteration: number; killed: number }[] } {
  const json = join(dir, `${name}.json`);
  const r = run([
    process.execPath,
    cli,
    "stress",
    "-j",
    "2",
    "-o",
    join(dir, name),
    "--json",
    json,
    ...extra,
    "--",
    "go",
    "test",
    "-timeout",
    GO_TIMEOUT,
    ...goArgs,
    "./raft",
  ]);
  if (!existsSync(json)) throw new Error(`raftlab stress wrote no report: ${r.stderr}`);
  const report = parseStressReport(readFileSync(json, "utf8"), json);
  return { ...r, runs: report.runs, killed: report.killedProcesses };
}

describe("raftlab stress on a lab-shaped go module", () => {
  let split: ReturnType<typeof stressOf>;

  beforeAll(() => {
    const version = run(["go", "version"], dir);
    if (version.code !== 0) throw new Error(`this test needs the go toolchain on PATH (.ci/run installs Debian's golang-go): ${version.stderr.trim()}`);
    cpSync(gomod, mod, { recursive: true });
    const build = run(["go", "test", "-count=1", "-run", "^$", "./raft"]);
    if (build.code !== 0) throw new Error(`the lab module does not build: ${build.stderr.trim()}`);
    split = stressOf("split", ["-n", String(ITERATIONS), "--split-tests"], []);
  }, 240_000);

  it("one bug, one group: one(<5,000 random characters>) and one(101) fail under one signature", () => {
    expect(split.code, split.stderr).toBe(1);
    const agreement = split.runs.filter((r) => !r.ok && (r.message ?? "").includes("failed to reach agreement"));
    expect(agreement.map((r) => [r.test, r.seed]).sort()).toEqual([
      ["TestBasicAgree3B", 1],
      ["TestRPCBytes3B", 1],
      ["TestRPCBytes3B", 3],
      ["TestRPCBytes3B", 4],
    ]);
    expect(new Set(agreement.map((r) => r.signature))).toEqual(new Set([expect.stringMatching(/^fail: config\.go:\d+: one\(N\) failed to reach agreement$/)]));
    // The report keeps the example whole; the triage block cuts it and says so.
    const bytes = agreement.find((r) => r.test === "TestRPCBytes3B");
    expect(bytes?.message?.length).toBeGreaterThan(5000);
    expect(split.stdout).toMatch(/^\[1\] 4× fail: config\.go:\d+: one\(N\) failed to reach agreement$/m);
    expect(split.stdout).toContain("tests:  TestRPCBytes3B (3), TestBasicAgree3B (1)");
    expect(Math.max(...split.stdout.split("\n").map((l) => l.length))).toBeLessThan(400);
    // --split-tests saves the whole go test -v log: the failing test's section with its token.
    const log = readFileSync(join(dir, "split", "3.log"), "utf8");
    expect(log).toContain("=== RUN   TestRPCBytes3B");
    expect(log).toContain(agreement.find((r) => r.seed === 3)?.message ?? "(no failure in iteration 3)");
    expect(log).toMatch(/--- FAIL: TestRPCBytes3B \(\d+\.\d+s\)/);
  });

  it("go test's -timeout is the timeout of the test it stopped, and only of that test", () => {
    const hang = split.runs.filter((r) => r.seed === 2 && !r.ok);
    expect(hang.map((r) => [r.test, r.kind, r.signature])).toEqual([["TestHang3B", "timeout", "timeout: panic: test timed out after N"]]);
    expect(split.runs.filter((r) => r.seed === 2 && r.ok).map((r) => r.test)).toEqual(["TestBasicAgree3B", "TestRPCBytes3B", "TestHelper3A"]);
  });

  it("without -v the iteration's timeout names the test it stopped, and the re-run command selects it", () => {
    const plain = stressOf("plain", ["-n", "2"], []);
    expect(plain.code, plain.stderr).toBe(1);
    const hang = plain.runs.find((r) => r.seed === 2);
    expect([hang?.kind, hang?.message, hang?.goTest]).toEqual(["timeout", `panic: test timed out after ${GO_TIMEOUT} (running: TestHang3B)`, "TestHang3B"]);
    expect(plain.stdout).toContain(`re-run: RAFTLAB_ITER=2 go test -run '^TestHang3B$' -count=1 -timeout ${GO_TIMEOUT} ./raft`);
    expect(processesIn(pkg)).toEqual([]);
  }, 120_000);

  it("a process started in its own session (setsid) does not outlive its iteration, and is counted", () => {
    expect(processesIn(pkg)).toEqual([]);
    expect(split.killed).toEqual(Array.from({ length: ITERATIONS }, (_, i) => ({ iteration: i + 1, killed: 1 })));
    expect(split.stdout).toContain(`killed ${ITERATIONS} processes left running by ${ITERATIONS} iterations (1, 2, 3, 4)`);
    const log = readFileSync(join(dir, "split", "1.log"), "utf8");
    expect(log.trimEnd().split("\n").at(-1)).toBe(
      "raftlab stress: killed 1 process still running after the command exited (started in their own session, or left in the background)",
    );
  });
});
