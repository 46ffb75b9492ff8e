// `batch`, `triage` and `merge` end to end as processes (on the stand-in runner): exit codes, the
// last line, reports on disk, shards merged back to the whole, and a clean Ctrl-C.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseReport } from "../../src/runs/report.js";

const cli = fileURLToPath(new URL("./fixtures/fake-cli.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-cli-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function raftlab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";

describe("raftlab batch (process)", () => {
  it("exits 1 when a run failed, ends with `N passed, N failed`, writes JSON, JUnit and the saved runs", () => {
    const out = join(dir, "b1");
    const r = raftlab(["batch", "FakePass", "FakeFlaky", "-n", "9", "-j", "2", "--out", out, "--json", join(dir, "b1.json"), "--junit", join(dir, "b1.xml")]);
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toBe("15 passed, 3 failed");
    expect(r.stdout).toMatch(/FakeFlaky\s+3\s+9\s+33\.3%/);
    expect(r.stdout).toContain("replay: raftlab run FakeFlaky --seed");
    const report = parseReport(readFileSync(join(dir, "b1.json"), "utf8"), "b1.json");
    expect(report.runs).toHaveLength(18);
    expect(report.runs.filter((x) => !x.ok).map((x) => x.seed)).toEqual([3, 6, 9]);
    const xml = readFileSync(join(dir, "b1.xml"), "utf8");
    expect(xml).toContain('failures="3"');
    // The saved log's end, with the tester's FAIL line, is in the failing case's <system-out>.
    expect(xml).toMatch(/<system-out># raftlab batch run[\s\S]*FAIL: one\(300\) failed to reach agreement[\s\S]*<\/system-out>/);
    expect(existsSync(join(out, "report.json"))).toBe(true);
    expect(existsSync(join(out, "FakeFlaky-6.jsonl"))).toBe(true);
    // Not a TTY: plain progress lines on stderr, no escape codes anywhere.
    expect(r.stderr).toMatch(/18\/18 runs \(100%\)/);
    expect(r.stdout + r.stderr).not.toContain("\u001b[");
  });

  it("two batches started in the same second (no --out) save into two folders (issue 18)", async () => {
    const cwd = join(dir, "same-second");
    mkdirSync(cwd);
    const runOne = (): Promise<number | null> =>
      new Promise((resolveRun) => {
        const child = spawn(process.execPath, [cli, "batch", "FakeFlaky", "-n", "3", "-j", "1"], {
          cwd,
          env: { ...process.env, NO_COLOR: "1" },
          stdio: "ignore",
        });
        child.on("exit", (code) => resolveRun(code));
      });
    const codes = await Promise.all([runOne(), runOne()]);
    expect(codes).toEqual([1, 1]);
    const folders = readdirSync(join(cwd, "raftlab-out")).sort();
    expect(folders).toHaveLength(2);
    for (const f of folders) {
      expect(f).toMatch(/^\d{8}-\d{6}-\d+$/);
      expect(readdirSync(join(cwd, "raftlab-out", f))).toContain("FakeFlaky-3.jsonl");
    }
  }, 120_000);

  it("exits 0 when everything passed and saves nothing", () => {
    const out = join(dir, "b2");
    const r = raftlab(["batch", "FakePass", "-n", "5", "-j", "1", "--out", out]);
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toBe("5 passed, 0 failed");
    expect(existsSync(out)).toBe(false);
    // --keep-all (stress's old name for -a) is an alias of --archive here too (issue 18).
    const kept = raftlab(["batch", "FakePass", "-n", "2", "-j", "1", "--keep-all", "--out", join(dir, "b2-kept")]);
    expect(kept.code).toBe(0);
    expect(readdirSync(join(dir, "b2-kept"))).toContain("FakePass-2.jsonl");
  });

  it("exits 2 with a one-line error for usage errors", () => {
    const aFile = join(dir, "a-file");
    writeFileSync(aFile, "");
    for (const args of [
      ["batch", "FakePass", "--out", join(aFile, "out")],
      ["batch", "FakePass", "--out", join(dir, "o"), "--json", join(aFile, "r.json")],
      ["batch", "--no-such-flag"],
      ["batch", "FakePass", "-n", "0"],
      ["batch", "FakePass", "--shard", "3/2"],
      ["batch", "NoSuchTest"],
      ["batch", "FakePass", "--growth", "3"],
      ["batch", "FakePass", "--impl", join(dir, "missing.mjs")],
      ["triage", join(dir, "missing")],
      ["merge", join(dir, "missing.json")],
    ]) {
      const r = raftlab(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("triage re-prints the groups from a saved folder and from a report", () => {
    const out = join(dir, "b3");
    raftlab(["batch", "FakeFlaky", "FakeViolation", "-n", "8", "-j", "2", "--out", out]);
    const a = raftlab(["triage", out]);
    expect(a.code).toBe(1);
    expect(a.stdout).toContain("[1] 2× fail: one(N) failed to reach agreement after N ms");
    expect(a.stdout).toContain("[2] 2× violation: election-safety");
    expect(lastLine(a.stdout)).toBe("12 passed, 4 failed");
    // Without report.json (a batch killed hard), from the journal: the same runs, passing ones too.
    rmSync(join(out, "report.json"));
    const b = raftlab(["triage", out]);
    expect(b.stdout).toContain("[1] 2× fail: one(N) failed to reach agreement after N ms");
    expect(lastLine(b.stdout)).toBe("12 passed, 4 failed");
    // Without the journal either, from the .log files alone: the same groups (the failing runs only),
    // and a note that the counts are not rates.
    rmSync(join(out, "journal.jsonl"));
    const c = raftlab(["triage", out]);
    expect(c.stdout).toContain("[1] 2× fail: one(N) failed to reach agreement after N ms");
    expect(c.stdout).toContain("note: no report.json and no journal: only the saved runs are counted");
    expect(lastLine(c.stdout)).toBe("0 passed, 4 failed");
  });

  it("merge refuses shards of different batches: another -n, seed start, pattern, --strict or shard count (issue 10)", () => {
    const shard = (name: string, i: number, n: number, extra: string[] = []): string => {
      const j = join(dir, `mx-${name}.json`);
      const r = raftlab([
        "batch",
        "FakePass",
        "FakeFlaky",
        "-n",
        "6",
        "-j",
        "1",
        "--shard",
        `${i}/${n}`,
        "--out",
        join(dir, `mx-${name}`),
        "--json",
        j,
        ...extra,
      ]);
      expect([0, 1], r.stderr).toContain(r.code);
      return j;
    };
    const a = shard("a", 1, 2);
    const cases: [string, string, RegExp][] = [
      ["n", shard("n", 2, 2, ["-n", "7"]), /ran different batches \(iterations \(-n\): 6 vs 7\)/],
      ["seed", shard("seed", 2, 2, ["--seed-start", "100"]), /ran different batches \(seed start: 1 vs 100\)/],
      ["strict", shard("strict", 2, 2, ["--strict"]), /ran different batches \(--strict: false vs true\)/],
      ["split", shard("split", 2, 3), /is shard 1\/2 but .* is shard 2\/3: shards of different splits cannot be merged/],
    ];
    for (const [what, other, message] of cases) {
      const m = raftlab(["merge", a, other]);
      expect(m.code, what).toBe(2);
      expect(m.stderr.trim().split("\n"), what).toEqual([expect.stringMatching(message)]);
    }
    const p = join(dir, "mx-pattern.json");
    raftlab(["batch", "FakePass", "-n", "6", "-j", "1", "--shard", "2/2", "--out", join(dir, "mx-pattern"), "--json", p]);
    expect(raftlab(["merge", a, p]).stderr).toMatch(/ran different batches \(tests: FakePass,FakeFlaky vs FakePass\)/);
    // The matching shard merges.
    expect([0, 1]).toContain(raftlab(["merge", a, shard("b", 2, 2)]).code);
  });

  it("shards 1/3..3/3 merge back into the table of the whole batch", () => {
    const whole = raftlab(["batch", "FakePass", "FakeFlaky", "FakeViolation", "-n", "12", "-j", "2", "--out", join(dir, "w"), "--json", join(dir, "w.json")]);
    const parts = [1, 2, 3].map((i) => {
      const j = join(dir, `s${i}.json`);
      const r = raftlab([
        "batch",
        "FakePass",
        "FakeFlaky",
        "FakeViolation",
        "-n",
        "12",
        "-j",
        "1",
        "--shard",
        `${i}/3`,
        "--out",
        join(dir, `s${i}`),
        "--json",
        j,
      ]);
      expect([0, 1]).toContain(r.code); // a shard may hold no failing run
      return j;
    });
    const m = raftlab(["merge", ...parts, "--json", join(dir, "merged.json")]);
    expect(m.code).toBe(1);
    expect(lastLine(m.stdout)).toBe(lastLine(whole.stdout));
    const table = (s: string): string[] =>
      s
        .split("\n")
        .filter((l) => /^Fake\w+\s+\d+\s+\d+/.test(l))
        .map((l) => l.split(/\s+/).slice(0, 4).join(" "));
    expect(table(m.stdout).sort()).toEqual(table(whole.stdout).sort());
    const merged = parseReport(readFileSync(join(dir, "merged.json"), "utf8"), "merged.json");
    const w = parseReport(readFileSync(join(dir, "w.json"), "utf8"), "w.json");
    const key = (x: { test: string; seed: number; ok: boolean }): string => `${x.test}#${x.seed}#${x.ok}`;
    expect(merged.runs.map(key).sort()).toEqual(w.runs.map(key).sort());
    // Shards 1/3 and 3/3 only: refused (exit 2, one line naming the missing shard), unless --allow-missing.
    const partial = raftlab(["merge", parts[0] ?? "", parts[2] ?? ""]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toBe("raftlab merge: missing shard 2 of 3 (have 2/3); give every shard's report, or --allow-missing to merge these\n");
    const allowed = raftlab(["merge", parts[0] ?? "", parts[2] ?? "", "--allow-missing"]);
    expect([0, 1]).toContain(allowed.code);
    expect(allowed.stderr).toContain("raftlab merge: warning: missing shard 2 of 3 (have 2/3)");
  });

  it("an interrupted batch prints the command that resumes it, and resuming finishes the run list", async () => {
    const out = join(dir, "res");
    const args = ["batch", "FakeBigTrace", "FakeFlaky", "-n", "150", "-j", "2", "--out", out];
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", () => {});
    // Interrupt once the first failure is printed (FakeFlaky fails at seed 3), whatever the machine's speed.
    await new Promise<void>((r) => child.stdout.on("data", () => stdout.includes("FAIL") && r()));
    child.kill("SIGINT");
    expect(await new Promise<number | null>((r) => child.on("exit", (c) => r(c)))).toBe(130);
    const resume = /resume with: raftlab (.*)$/m.exec(stdout)?.[1];
    expect(resume).toBe(`${args.join(" ")} --resume ${out}/report.json`);
    const r = raftlab([...args, "--resume", join(out, "report.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\d+ runs taken from the --resume report/);
    expect(lastLine(r.stdout)).toBe("250 passed, 50 failed");
    const report = parseReport(readFileSync(join(out, "report.json"), "utf8"), "report.json");
    expect(new Set(report.runs.map((x) => `${x.test}#${x.seed}`)).size).toBe(300);
  });

  it("on SIGINT stops cleanly: exit 130, the table, the last line and the reports", async () => {
    const json = join(dir, "int.json");
    const child = spawn(process.execPath, [cli, "batch", "FakeBigTrace", "FakeFlaky", "-n", "100000", "-j", "2", "--out", join(dir, "int"), "--json", json], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", () => {});
    // Interrupt once runs are under way: the first FAIL line (FakeFlaky seed 3).
    await new Promise<void>((r) => child.stdout.on("data", () => stdout.includes("FAIL") && r()));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/FakeBigTrace\s+0\s+\d+/);
    expect(stdout).toContain("interrupted:");
    expect(stdout).toContain("✓ replayed: same failure, byte-identical trace");
    expect(lastLine(stdout)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    const report = parseReport(readFileSync(json, "utf8"), "int.json");
    expect(report.interrupted).toBe(true);
    expect(report.runs.length).toBeGreaterThan(0);
  });
});

describe("raftlab batch (process): signals and the scratch folder", () => {
  // Issue 10: the scratch folder (TMPDIR/raftlab-batch-<pid>-*) leaked on SIGTERM, a second Ctrl-C and SIGKILL.
  const startBatch = (
    tmp: string,
    out: string,
  ): { child: ReturnType<typeof spawn>; firstFail: Promise<void>; stopping: Promise<void>; stdout: () => string } => {
    const child = spawn(process.execPath, [cli, "batch", "FakeBigTrace", "FakeFlaky", "-n", "100000", "-j", "2", "--out", out], {
      env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp },
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const firstFail = new Promise<void>((r) => child.stdout?.on("data", () => stdout.includes("FAIL") && r()));
    // Signals do not queue: the second Ctrl-C is sent only once the first has been handled.
    const stopping = new Promise<void>((r) => child.stderr?.on("data", () => stderr.includes("stopping:") && r()));
    return { child, firstFail, stopping, stdout: () => stdout };
  };
  const exited = (child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: string | null }> =>
    new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  const scratch = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith("raftlab-batch-"));

  it("on SIGTERM stops as cleanly as Ctrl-C (report written, exit 143) and leaves no scratch folder", async () => {
    const tmp = mkdtempSync(join(dir, "tmp-term-"));
    const b = startBatch(tmp, join(dir, "term"));
    await b.firstFail;
    expect(scratch(tmp)).toHaveLength(1);
    b.child.kill("SIGTERM");
    expect((await exited(b.child)).code).toBe(143);
    expect(lastLine(b.stdout())).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(parseReport(readFileSync(join(dir, "term", "report.json"), "utf8"), "report.json").interrupted).toBe(true);
    expect(scratch(tmp)).toEqual([]);
  });

  it("a second Ctrl-C quits at once and still removes the scratch folder; one left by SIGKILL is swept by the next batch", async () => {
    const tmp = mkdtempSync(join(dir, "tmp-kill-"));
    const twice = startBatch(tmp, join(dir, "twice"));
    await twice.firstFail;
    twice.child.kill("SIGINT");
    await twice.stopping;
    twice.child.kill("SIGINT");
    expect((await exited(twice.child)).code).toBe(130);
    expect(scratch(tmp)).toEqual([]);

    const killed = startBatch(tmp, join(dir, "killed"));
    await killed.firstFail;
    killed.child.kill("SIGKILL");
    expect((await exited(killed.child)).signal).toBe("SIGKILL");
    expect(scratch(tmp)).toHaveLength(1); // nothing can clean up after SIGKILL...
    const next = spawnSync(process.execPath, [cli, "batch", "FakePass", "-n", "1", "-q", "--out", join(dir, "next")], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp },
      timeout: 60_000,
    });
    expect(next.status).toBe(0);
    expect(scratch(tmp)).toEqual([]); // ...but the next batch sweeps what a dead batch left
  });

  it("a SIGKILLed batch leaves its journal: triage counts passing runs too (exit 1, with a note), and --resume DIR finishes the list", async () => {
    const out = join(dir, "journal");
    const args = ["batch", "FakeBigTrace", "FakeFlaky", "-n", "150", "-j", "2", "--out", out];
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", () => {});
    await new Promise<void>((r) => child.stdout.on("data", () => stdout.includes("FAIL") && r()));
    child.kill("SIGKILL");
    await new Promise<void>((r) => child.on("exit", () => r()));
    expect(existsSync(join(out, "report.json"))).toBe(false);

    const t = raftlab(["triage", out]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/^triage of .*journal\.jsonl: \d+ runs/);
    expect(t.stdout).toContain("note: the batch did not finish (killed?)");
    // Not the 100% failure rate that counting only the saved (failing) runs gave: passing runs are in.
    expect(lastLine(t.stdout)).toMatch(/^[1-9]\d* passed, [1-9]\d* failed$/);

    const r = raftlab([...args, "--resume", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/[1-9]\d* runs taken from the --resume report/);
    expect(lastLine(r.stdout)).toBe("250 passed, 50 failed");
    // The finished batch's report.json is now authoritative: triage reads it, without the note.
    const after = raftlab(["triage", out]);
    expect(after.stdout).toMatch(/^triage of .*report\.json: 300 runs/);
    expect(after.stdout).not.toContain("note:");
    expect(raftlab(["batch", "FakePass", "-n", "1", "--resume", dir]).stderr).toMatch(/holds neither a report\.json nor a journal\.jsonl: nothing to resume/);
  });
});
