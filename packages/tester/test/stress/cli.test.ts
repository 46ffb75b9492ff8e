// `raftlab stress` end to end as a process, on a Node stand-in for a flaky test command
// (fixtures/standin.sh): RAFTLAB_ITER, saved output with stdout and stderr in order, re-run commands
// that reproduce, timeouts that kill the whole process group, the output cap, --fail-fast,
// --max-failures, --loop, shards merged back, triage, usage errors and a clean Ctrl-C.

import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseStressReport } from "../../src/stress/report.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const standin = fileURLToPath(new URL("./fixtures/standin.sh", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-stress-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function raftlab(args: string[], env: NodeJS.ProcessEnv = {}): Result {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";
const report = (path: string) => parseStressReport(readFileSync(path, "utf8"), path);

/** Whether a process still runs: a killed one may linger as a zombie where PID 1 does not reap (containers). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) answered
  }
}

describe("raftlab stress (process)", () => {
  it("runs each iteration with RAFTLAB_ITER, saves failing output in order, groups failures, writes reports", () => {
    const out = join(dir, "s1");
    const r = raftlab(["stress", "-n", "9", "-j", "3", "-o", out, "--json", join(dir, "s1.json"), "--junit", join(dir, "s1.xml"), "--", "sh", standin]);
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toBe("6 passed, 3 failed");
    expect(r.stdout).toContain("[1] 3× fail: assertion failed: got N, want N");
    expect(r.stdout).toMatch(/FAIL iteration 6 \[fail\]: assertion failed: got 42, want 0/);
    // Saved output: failing iterations only, stdout and stderr interleaved as written.
    // report.html beside report.json; no run pages: the stand-in prints no Raft log lines for logviz to draw.
    expect(readdirSync(out).sort()).toEqual(["3.log", "6.log", "9.log", "report.html", "report.json"]);
    expect(readFileSync(join(out, "6.log"), "utf8")).toBe("out 6.0\nerr 6.0\nout 6.1\nerr 6.1\nout 6.2\nerr 6.2\nassertion failed: got 42, want 0\n");
    const rep = report(join(dir, "s1.json"));
    expect(rep.runs.filter((x) => !x.ok).map((x) => x.seed)).toEqual([3, 6, 9]);
    expect([rep.iterations, rep.failedIterations]).toEqual([9, 3]);
    expect(readFileSync(join(dir, "s1.xml"), "utf8")).toMatch(/failures="3"[\s\S]*<system-out>out 3\.0\nerr 3\.0/);
    // Not a TTY: plain progress lines on stderr, no escape codes anywhere.
    expect(r.stderr).toMatch(/9\/9 iterations \(100%\)/);
    expect(r.stdout + r.stderr).not.toContain("\u001b[");
  });

  it("prints a re-run command that reproduces the failure", () => {
    const r = raftlab(["stress", "-n", "3", "-j", "1", "-o", join(dir, "s2"), "--", "sh", standin], { VERBOSE: "2" });
    const rerun = /re-run: (.*)/.exec(r.stdout)?.[1] ?? "";
    expect(rerun).toBe(`RAFTLAB_ITER=3 VERBOSE=2 sh ${standin}`);
    const again = spawnSync("/bin/sh", ["-c", `${rerun} 2>&1`], { encoding: "utf8", cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stdout).toContain("assertion failed: got 21, want 0");
  });

  it("--timeout kills the iteration's whole process group and marks it timeout", () => {
    const pidFile = join(dir, "hang.pid");
    const out = join(dir, "s3");
    // Iteration 1 exits at once; iteration 2 hangs (and its child with it) until the timeout.
    const r = raftlab(["stress", "-n", "2", "-j", "2", "--timeout", "5", "-o", out, "--", "sh", standin], { HANG_ITER: "2", PID_FILE: pidFile });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("[1] 1× timeout: killed after N s (--timeout)");
    const child = Number(readFileSync(pidFile, "utf8"));
    expect(alive(child)).toBe(false);
    expect(readFileSync(join(out, "2.log"), "utf8")).toContain("err 2.2");
  });

  it("keeps only the last --max-output MB of a huge output, and says so", () => {
    const out = join(dir, "s4");
    const r = raftlab(["stress", "-n", "1", "--max-output", "1", "-o", out, "--", "sh", standin], { BIG_ITER: "1", BIG_MB: "3" });
    expect(r.code).toBe(1);
    const log = readFileSync(join(out, "1.log"), "utf8");
    expect(log).toMatch(/^… raftlab stress: the first \d+ bytes of this iteration's output were cut/);
    expect(log.trimEnd().endsWith("the end")).toBe(true);
    expect(statSync(join(out, "1.log")).size).toBeLessThanOrEqual(1024 * 1024 + 300);
    const rep = report(join(out, "report.json"));
    expect(rep.cutOutputs[0]?.iteration).toBe(1);
    expect(rep.cutOutputs[0]?.droppedBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(r.stdout).toContain("iteration 1: output cut");
  });

  it("--fail-fast stops at the first failure; --max-failures N at the N-th; --loop goes on until then", () => {
    const ff = raftlab(["stress", "-n", "30", "-j", "1", "--fail-fast", "-o", join(dir, "s5"), "--", "sh", standin]);
    expect(ff.code).toBe(1);
    expect(report(join(dir, "s5", "report.json")).iterations).toBe(3);
    expect(ff.stdout).toContain("stopped early");
    const mf = raftlab(["stress", "-n", "30", "-j", "1", "--max-failures", "2", "-o", join(dir, "s6"), "--", "sh", standin]);
    expect(mf.code).toBe(1);
    expect(report(join(dir, "s6", "report.json")).iterations).toBe(6);
    const loop = raftlab(["stress", "-n", "2", "-j", "1", "--loop", "--max-failures", "3", "-o", join(dir, "s7"), "--", "sh", standin]);
    expect(loop.code).toBe(1);
    const rep = report(join(dir, "s7", "report.json"));
    expect([rep.iterations, rep.failedIterations]).toEqual([9, 3]);
    expect(loop.stdout).toContain("round 1 done");
  });

  it("shards 1/2 and 2/2 merge back into the whole run; triage re-reads a folder", () => {
    const a = raftlab(["stress", "-n", "6", "-j", "2", "--shard", "1/2", "-o", join(dir, "sh1"), "--json", join(dir, "sh1.json"), "--", "sh", standin]);
    const b = raftlab(["stress", "-n", "6", "-j", "2", "--shard", "2/2", "-o", join(dir, "sh2"), "--json", join(dir, "sh2.json"), "--", "sh", standin]);
    expect(report(join(dir, "sh1.json")).runs.map((x) => x.seed)).toEqual([1, 3, 5]);
    expect(report(join(dir, "sh2.json")).runs.map((x) => x.seed)).toEqual([2, 4, 6]);
    expect([a.code, b.code]).toEqual([1, 1]);
    const m = raftlab(["merge", join(dir, "sh1.json"), join(dir, "sh2.json"), "--json", join(dir, "merged.json"), "--junit", join(dir, "merged.xml")]);
    expect(m.code).toBe(1);
    expect(lastLine(m.stdout)).toBe("4 passed, 2 failed");
    expect(m.stdout).toContain("[1] 2× fail: assertion failed: got N, want N");
    expect(report(join(dir, "merged.json")).runs.map((x) => x.seed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readFileSync(join(dir, "merged.xml"), "utf8")).toContain('failures="2"');
    // A shard's report missing (its CI job never uploaded it) fails the merge, unless --allow-missing.
    const missing = raftlab(["merge", join(dir, "sh1.json"), "--json", join(dir, "partial.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("raftlab merge: missing shard 2 of 2 (have 1/2); give every shard's report, or --allow-missing to merge these\n");
    expect(existsSync(join(dir, "partial.json"))).toBe(false);
    const allowed = raftlab(["merge", join(dir, "sh1.json"), "--allow-missing"]);
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).toContain("warning: missing shard 2 of 2 (have 1/2)");
    expect(lastLine(allowed.stdout)).toBe("2 passed, 1 failed");
    // A batch report with a stress report, in either order: one line naming which file is which kind.
    const batchReport = join(dir, "batch.json");
    writeFileSync(batchReport, JSON.stringify({ format: "raftlab-batch-report", version: 1, impl: null, runs: [] }));
    for (const files of [
      [join(dir, "sh1.json"), batchReport],
      [batchReport, join(dir, "sh1.json")],
    ]) {
      const mixed = raftlab(["merge", ...files]);
      expect(mixed.code).toBe(2);
      expect(mixed.stderr).toBe(
        `raftlab merge: ${join(dir, "sh1.json")} is a raftlab stress report and ${batchReport} a raftlab batch report; the two kinds cannot be merged, merge each kind on its own\n`,
      );
    }
    const t = raftlab(["triage", join(dir, "sh2")]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain(`open:   logviz ${join(dir, "sh2")}/6.log`);
    expect(lastLine(t.stdout)).toBe("2 passed, 1 failed");
    // One saved iteration output: that iteration, from the report beside it.
    const one = raftlab(["triage", join(dir, "sh2", "6.log")]);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain(`triage of ${join(dir, "sh2", "6.log")}: iteration 6 of the stress run in ${join(dir, "sh2", "report.json")}`);
    expect(one.stdout).toContain(`re-run: RAFTLAB_ITER=6 sh ${standin}`);
    expect(lastLine(one.stdout)).toBe("0 passed, 1 failed");
    // Without the report beside it: one line saying what to give instead.
    mkdirSync(join(dir, "lone"));
    copyFileSync(join(dir, "sh2", "6.log"), join(dir, "lone", "6.log"));
    const lone = raftlab(["triage", join(dir, "lone", "6.log")]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toBe(
      `raftlab triage: ${join(dir, "lone", "6.log")} is neither a raftlab batch run log nor beside its raftlab stress report.json; triage the stress output folder or its --json report\n`,
    );
  });

  it("exits 0 when every iteration passed, and saves nothing (unless --archive, alias --keep-all)", () => {
    const none = raftlab(["stress", "-n", "2", "-o", join(dir, "s8"), "--", "sh", standin]);
    expect(none.code).toBe(0);
    expect(lastLine(none.stdout)).toBe("2 passed, 0 failed");
    expect(existsSync(join(dir, "s8"))).toBe(false);
    const all = raftlab(["stress", "-n", "2", "--keep-all", "-o", join(dir, "s9"), "--", "sh", standin]);
    expect(all.code).toBe(0);
    expect(readdirSync(join(dir, "s9")).sort()).toEqual(["1.log", "2.log", "report.html", "report.json"]);
    // --archive (batch's name, -a in both commands) is the same flag (issue 18).
    const archived = raftlab(["stress", "-n", "2", "-a", "-o", join(dir, "s10"), "--", "sh", standin]);
    expect(archived.code).toBe(0);
    expect(readdirSync(join(dir, "s10")).sort()).toEqual(["1.log", "2.log", "report.html", "report.json"]);
  });

  it("exits 2 with a one-line error for usage errors", () => {
    for (const args of [
      ["stress"],
      ["stress", "--", "no-such-command-raftlab"],
      ["stress", "-n", "0", "--", "true"],
      ["stress", "--shard", "3/2", "--", "true"],
      ["stress", "--fail-fast", "--max-failures", "2", "--", "true"],
      ["stress", "--timeout", "-1", "--", "true"],
      ["stress", "-o", join(standin, "out"), "--", "true"],
    ]) {
      const r = raftlab(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("Ctrl-C kills the running iterations, writes the report and exits 130", async () => {
    const pidFile = join(dir, "int.pid");
    const out = join(dir, "s10");
    const child = spawn(process.execPath, [cli, "stress", "-n", "3", "-j", "1", "-o", out, "--", "sh", standin], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", HANG_ITER: "1", PID_FILE: pidFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    // Interrupt once the hanging iteration has started (its child wrote its pid).
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8") === "") await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(alive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
    const rep = report(join(out, "report.json"));
    expect([rep.interrupted, rep.iterations]).toEqual([true, 0]);
    expect(stdout).toContain("interrupted: 3 iterations not run");
    expect(lastLine(stdout)).toBe("0 passed, 0 failed");
  });
});
