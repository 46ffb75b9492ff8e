// `raftlab stress` on a real Go module (gomod/) with the real `go` toolchain and its race detector:
// every kind of failure the module produces (a seeded t.Fatalf, a panic, a data race, a hang killed by
// --timeout, dslogs lines with a failure) lands under its own signature with the counts the module's
// RAFTLAB_ITER rules give, the printed re-run commands reproduce their failure, and the printed logviz
// command opens the saved log at that test.
//
// Go is required, not optional: .ci/run installs it (Debian's golang-go) when it is missing, and without
// it this test fails with a line saying so. The module is built once before the run (go's build cache,
// the default one unless HOME is unset), so each iteration only links and runs the test binary.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStressReport } from "../../src/stress/report.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const logviz = fileURLToPath(new URL("../../../logviz/dist/cli.js", import.meta.url));
const gomod = fileURLToPath(new URL("./gomod", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-go-e2e-"));
const mod = join(dir, "stressmod");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ITERATIONS = 12;
/** Long enough for a normal iteration (well under a second) on a loaded machine; only TestHang reaches it. */
const TIMEOUT_SEC = 15;

/** A hermetic go: no toolchain or module downloads, a build cache even where HOME is unset. */
const goEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: "1",
  GOTOOLCHAIN: "local",
  GOPROXY: "off",
  GOFLAGS: "",
  ...(process.env["HOME"] === undefined && process.env["GOCACHE"] === undefined ? { GOCACHE: join(dir, "gocache") } : {}),
};

function run(argv: string[], cwd = mod): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", cwd, env: goEnv, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
}

/** The iterations (1..ITERATIONS) each failure of stress_test.go happens in, from its RAFTLAB_ITER rules. */
function expectedIterations(): Record<string, number[]> {
  const its = Array.from({ length: ITERATIONS }, (_, i) => i + 1);
  const panics = (i: number): boolean => i % 4 === 1; // TestPanicky: the binary ends, later tests never run
  const hangs = (i: number): boolean => i === 2; // TestHang: killed by --timeout, TestRace never runs
  return {
    dslogs: its.filter((i) => i % 5 === 4),
    flaky: its.filter((i) => i % 3 === 0),
    panic: its.filter(panics),
    hang: its.filter(hangs),
    race: its.filter((i) => !panics(i) && !hangs(i)),
  };
}

/** The signature of each failure kind, and the test it belongs to. */
const SIGNATURES: Record<string, { test: string; signature: RegExp }> = {
  dslogs: { test: "TestDslogs", signature: /^fail: stress_test\.go:\d+: Log size too large \(N bytes\)$/ },
  flaky: { test: "TestFlaky", signature: /^fail: stress_test\.go:\d+: one\(N\) failed to reach agreement$/ },
  panic: { test: "TestPanicky", signature: /^fail: panic: runtime error: index out of range \[N\] with length N$/ },
  hang: { test: "TestHang", signature: /^timeout: no result: killed after N s \(--timeout\) while it ran$/ },
  race: { test: "TestRace", signature: /^fail: DATA RACE: stressmod\.TestRace \(stress_test\.go:\d+\) vs stressmod\.TestRace\.func1 \(stress_test\.go:\d+\)$/ },
};

/** Processes (not zombies) whose working directory is `path`: what a killed iteration must not leave. */
function processesIn(path: string): number[] {
  if (!existsSync("/proc/self/cwd")) return [];
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

describe("raftlab stress on a real go test module", () => {
  let stress: { code: number | null; stdout: string; stderr: string };
  const out = join(dir, "out");

  beforeAll(() => {
    const version = run(["go", "version"], dir);
    if (version.code !== 0) throw new Error(`this test needs the go toolchain on PATH (.ci/run installs Debian's golang-go): ${version.stderr.trim()}`);
    cpSync(gomod, mod, { recursive: true });
    // Build once (compiles the module and, on a cold cache, the race-enabled runtime); no test runs.
    const build = run(["go", "test", "-race", "-count=1", "-run", "^$", "."]);
    if (build.code !== 0) {
      throw new Error(`go test -race does not build here (the race detector needs cgo and a C compiler, gcc): ${build.stderr.trim().split("\n")[0] ?? ""}`);
    }
    stress = run([
      process.execPath,
      cli,
      "stress",
      "-n",
      String(ITERATIONS),
      "-j",
      "3",
      "--timeout",
      String(TIMEOUT_SEC),
      "-o",
      out,
      "--json",
      join(dir, "s.json"),
      "--",
      "go",
      "test",
      "-race",
      "-v",
    ]);
  }, 240_000);

  it("groups each kind of failure under its own signature, with the counts the module's rules give", () => {
    expect(stress.code, stress.stderr).toBe(1);
    const report = parseStressReport(readFileSync(join(dir, "s.json"), "utf8"), "s.json");
    expect([report.iterations, report.failedIterations]).toEqual([ITERATIONS, ITERATIONS]);
    const groups = new Map<string, { tests: Set<string>; iterations: number[] }>();
    for (const r of report.runs) {
      if (r.ok || r.signature === null) continue;
      const g = groups.get(r.signature) ?? { tests: new Set(), iterations: [] };
      g.tests.add(r.test);
      g.iterations.push(r.seed);
      groups.set(r.signature, g);
    }
    const expected = expectedIterations();
    expect(groups.size).toBe(Object.keys(SIGNATURES).length);
    for (const [kind, { test, signature }] of Object.entries(SIGNATURES)) {
      const hits = [...groups.entries()].filter(([s]) => signature.test(s));
      expect(
        hits.map(([s]) => s),
        kind,
      ).toHaveLength(1);
      const [sig, g] = hits[0] ?? ["", { tests: new Set<string>(), iterations: [] }];
      expect([...g.tests], kind).toEqual([test]);
      expect(
        g.iterations.sort((a, b) => a - b),
        kind,
      ).toEqual(expected[kind]);
      // The triage block names it with its count.
      expect(stress.stdout, kind).toContain(`${expected[kind]?.length}× ${sig}`);
    }
    // Every test's other iterations passed; the tests after a panic or the hang never ran there.
    const failed = Object.values(expected).reduce((n, its) => n + its.length, 0);
    const ran = ITERATIONS * 5 - 2 * expected["panic"]!.length - expected["hang"]!.length;
    expect(stress.stdout.trimEnd().split("\n").at(-1)).toBe(`${ran - failed} passed, ${failed} failed`);
    // The hang's whole process group (go, and the test binary it started) was killed.
    expect(processesIn(mod)).toEqual([]);
    expect(readFileSync(join(out, "2.log"), "utf8")).toContain("=== RUN   TestHang");
  });

  it("prints re-run commands that reproduce each failure on its own", () => {
    const reruns = [...stress.stdout.matchAll(/^ {4}re-run: (.*)$/gm)].map((m) => m[1] ?? "");
    expect(reruns).toHaveLength(Object.keys(SIGNATURES).length);
    const expected = expectedIterations();
    for (const [kind, { test }] of Object.entries(SIGNATURES)) {
      const first = expected[kind]?.[0];
      const cmd = reruns.find((c) => c.includes(`'^${test}$'`));
      expect(cmd, kind).toBe(`RAFTLAB_ITER=${first} go test -run '^${test}$' -count=1 -race -v`);
      if (kind === "hang") continue; // it would hang: the command is checked, not run
      const again = run(["/bin/sh", "-c", `${cmd ?? "false"} 2>&1`]);
      expect(again.code, kind).not.toBe(0);
      expect(
        [...again.stdout.matchAll(/^=== RUN\s+(\S+)/gm)].map((m) => m[1]),
        kind,
      ).toEqual([test]);
      expect(again.stdout, kind).toContain(`--- FAIL: ${test}`);
    }
  });

  it("prints the logviz command that opens a saved log at the failing test, filters by term and peer work on it", () => {
    const open = /^ {4}open: {3}logviz (\S+) --test (\S+)$/m.exec(
      stress.stdout
        .split("\n")
        .filter((l) => l.includes("TestDslogs"))
        .join("\n"),
    );
    expect(open?.[1]).toBe(join(out, `${expectedIterations()["dslogs"]?.[0]}.log`));
    expect(open?.[2]).toBe("TestDslogs");
    // logviz splits the go test -v output into tests at its `=== RUN` lines: --test keeps one of them.
    const shown = run([process.execPath, logviz, open?.[1] ?? "", "--test", "TestDslogs", "--term", "2", "--peers", "1", "--print", "--layout", "list"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("S1     election timeout in T2");
    expect(shown.stdout).toContain("Log size too large");
    expect(shown.stdout).not.toContain("T1");
    expect(shown.stdout).not.toContain("S0");
    expect(shown.stdout).not.toContain("TestFlaky");
  });
});
