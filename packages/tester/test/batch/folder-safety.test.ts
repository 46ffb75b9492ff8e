// Issue 20 points 2-5 for `batch`, `triage`, `merge` and `stress` as processes: artifacts survive
// crashes (each crash shape written into the files directly, and a real SIGKILL), one writer per folder
// (two concurrent processes), never a write through a symbolic link (links to a canary file), and reports
// validated as data from outside (hostile reports in test/fixtures/reports).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readJournal } from "../../src/runs/journal.js";

const cli = fileURLToPath(new URL("./fixtures/fake-cli.mjs", import.meta.url));
const realCli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const standin = fileURLToPath(new URL("../stress/fixtures/standin.sh", import.meta.url));
const reports = fileURLToPath(new URL("../fixtures/reports/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-folder-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}
function raftlab(args: string[], via = cli): Result {
  const r = spawnSync(process.execPath, [via, ...args], { encoding: "utf8", cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastLine = (s: string): string => s.trimEnd().split("\n").at(-1) ?? "";
const oneLine = (s: string): void => expect(s.trimEnd().split("\n")).toHaveLength(1);

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdio: "ignore" });
  return child;
}
async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.on("exit", (code) => r(code))));
const runsIn = (out: string): number => {
  try {
    return readJournal(join(out, "journal.jsonl")).runs.length;
  } catch {
    return 0;
  }
};

/** A finished batch folder: FakePass and FakeFlaky seeds 1..6 (2 failures), report.json and an ended journal. */
function finishedBatch(name: string): string {
  const out = join(dir, name);
  const r = raftlab(["batch", "FakePass", "FakeFlaky", "-n", "6", "-j", "1", "--no-verify", "-o", out]);
  expect(r.code).toBe(1);
  expect(lastLine(r.stdout)).toBe("10 passed, 2 failed");
  return out;
}

describe("artifacts survive crashes (issue 20 point 2)", () => {
  it("a torn last journal line: triage skips it, --resume cuts it off (saying how much) before appending", () => {
    const out = finishedBatch("torn");
    rmSync(join(out, "report.json"));
    const journal = join(out, "journal.jsonl");
    // The crash shape: the end line gone, and half a run line with no newline.
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n").slice(0, -2);
    const fragment = '{"run":{"test":"FakePass","seed":6,"ok":tr';
    writeFileSync(journal, `${lines.join("\n")}\n${fragment}`);
    const t = raftlab(["triage", out]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain("1 torn journal line (a crash mid-write) skipped");
    const r = raftlab(["batch", "FakePass", "FakeFlaky", "-n", "6", "-j", "1", "--no-verify", "--resume", out]);
    expect(r.stderr).toMatch(/journal\.jsonl: dropped a torn last line \((\d+) bytes, a crash mid-write\) before appending/);
    expect(/\((\d+) bytes/.exec(r.stderr)?.[1]).toBe(String(fragment.length));
    expect(lastLine(r.stdout)).toBe("10 passed, 2 failed");
    expect(r.stdout).toMatch(/1[01] runs taken from the --resume report/);
    // Every later reader finds whole lines only.
    expect(
      readFileSync(journal, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .every((l) => JSON.parse(l) !== null),
    ).toBe(true);
    const after = raftlab(["triage", out]);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe("");
    expect(lastLine(after.stdout)).toBe("10 passed, 2 failed");
  });

  it("a header appended to a torn line (an older raftlab's resume): triage and --resume still read the journal", () => {
    const out = finishedBatch("torn-mid");
    rmSync(join(out, "report.json"));
    const journal = join(out, "journal.jsonl");
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
    const header = lines[0] ?? "";
    writeFileSync(journal, `${lines.slice(0, -2).join("\n")}\n{"run":{"test":"Fake${header}\n`);
    const t = raftlab(["triage", out]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain("1 torn journal line");
    expect(t.stdout).not.toContain("not a journal line");
    const r = raftlab(["batch", "FakePass", "FakeFlaky", "-n", "6", "-j", "1", "--no-verify", "--resume", out]);
    expect(lastLine(r.stdout)).toBe("10 passed, 2 failed");
  });

  it("a truncated report.json: triage and --resume fall back to the journal, saying so in one line", () => {
    const out = finishedBatch("truncated-report");
    const report = join(out, "report.json");
    truncateSync(report, Math.floor(readFileSync(report).length / 2));
    const t = raftlab(["triage", out]);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/note: .*report\.json is unreadable \(it is not JSON.*\): read the journal instead/);
    expect(lastLine(t.stdout)).toBe("10 passed, 2 failed");
    // Given the report itself, the same.
    expect(lastLine(raftlab(["triage", report]).stdout)).toBe("10 passed, 2 failed");
    const r = raftlab(["batch", "FakePass", "FakeFlaky", "-n", "6", "-j", "1", "--no-verify", "--resume", out]);
    expect(r.stderr).toMatch(/^raftlab batch: --resume .*report\.json is unreadable .*: read the journal instead$/m);
    expect(r.stdout).toContain("12 runs taken from the --resume report");
    expect(lastLine(r.stdout)).toBe("10 passed, 2 failed");
    // The resumed batch wrote a whole report.json again.
    expect(() => JSON.parse(readFileSync(report, "utf8"))).not.toThrow();
  });

  it("the journal exists from the first finished run: a SIGKILL of an all-passing batch keeps its progress", async () => {
    const out = join(dir, "killed-early");
    const child = start(["batch", "FakePass", "-n", "100000", "-j", "1", "--no-verify", "-o", out]);
    await until("three runs in the journal", () => runsIn(out) >= 3);
    child.kill("SIGKILL");
    await exited(child);
    const t = raftlab(["triage", out]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("note: the batch did not finish (killed?)");
    expect(lastLine(t.stdout)).toMatch(/^([3-9]|\d\d+) passed, 0 failed$/);
  });

  it("no temporary files are left beside the artifacts, and a passing batch still leaves no folder", () => {
    const out = finishedBatch("no-temps");
    expect(spawnSync("ls", ["-A", out], { encoding: "utf8" }).stdout).not.toMatch(/\.tmp|\.raftlab\.lock/);
    const passing = join(dir, "passing");
    expect(raftlab(["batch", "FakePass", "-n", "3", "-o", passing]).code).toBe(0);
    expect(existsSync(passing)).toBe(false);
  });
});

describe("one writer per folder (issue 20 point 3)", () => {
  it("a second batch, a --resume and a stress run into a folder a batch writes get one line and exit 2; a killed writer's lock is taken over", async () => {
    const out = join(dir, "locked");
    const first = start(["batch", "FakeSlowFail", "-n", "50", "-j", "1", "--no-verify", "-o", out]);
    await until("the first run in the journal", () => runsIn(out) >= 1);
    const second = raftlab(["batch", "FakePass", "-n", "3", "-o", out]);
    expect(second.code).toBe(2);
    oneLine(second.stderr);
    expect(second.stderr).toMatch(
      new RegExp(`^raftlab batch: .*locked is being written by raftlab batch \\(pid ${first.pid} on ${hostname()}, since .*\\): one writer per folder`),
    );
    const resume = raftlab(["batch", "FakeSlowFail", "-n", "50", "-j", "1", "--resume", out]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/is being written by raftlab batch/);
    const stress = raftlab(["stress", "-n", "1", "-o", out, "--", "sh", standin], realCli);
    expect(stress.code).toBe(2);
    expect(stress.stderr).toMatch(/is being written by raftlab batch/);
    // The first batch's journal has only its own runs: the refused writers added nothing.
    expect(readJournal(join(out, "journal.jsonl")).runs.every((r) => r.test === "FakeSlowFail")).toBe(true);
    // Killed, the writer leaves its lock; the next batch finds its pid gone and takes the folder over.
    first.kill("SIGKILL");
    await exited(first);
    expect(existsSync(join(out, ".raftlab.lock"))).toBe(true);
    const next = raftlab(["batch", "FakeSlowFail", "-n", "3", "-j", "1", "--no-verify", "--resume", out]);
    expect(next.stderr).not.toMatch(/being written/);
    expect(lastLine(next.stdout)).toBe("0 passed, 3 failed");
    expect(existsSync(join(out, ".raftlab.lock"))).toBe(false);
  });
});

describe("never write through a symbolic link (issue 20 point 4)", () => {
  it("batch -o replaces links named report.json, journal.jsonl, <test>-<seed>.log/.jsonl and leaves their target alone", () => {
    const out = join(dir, "links");
    mkdirSync(out);
    const canary = join(dir, "canary.txt");
    writeFileSync(canary, "canary\n");
    const names = ["report.json", "journal.jsonl", "FakeFlaky-3.log", "FakeFlaky-3.jsonl"];
    for (const n of names) symlinkSync(canary, join(out, n));
    const r = raftlab(["batch", "FakeFlaky", "-n", "3", "-j", "1", "--no-verify", "-o", out]);
    expect(r.code).toBe(1);
    expect(readFileSync(canary, "utf8")).toBe("canary\n");
    for (const n of names) expect(lstatSync(join(out, n)).isSymbolicLink()).toBe(false);
    // Appending (--resume) to a journal that is a link is refused in one line. (Its target is a real
    // journal, so that reading it, which is harmless, succeeds.)
    const journalCanary = join(dir, "journal-canary.jsonl");
    const journalText = readFileSync(join(out, "journal.jsonl"), "utf8");
    writeFileSync(journalCanary, journalText);
    rmSync(join(out, "journal.jsonl"));
    symlinkSync(journalCanary, join(out, "journal.jsonl"));
    rmSync(join(out, "report.json"));
    const resume = raftlab(["batch", "FakeFlaky", "-n", "4", "-j", "1", "--no-verify", "--resume", out]);
    expect(resume.code).toBe(2);
    oneLine(resume.stderr);
    expect(resume.stderr).toMatch(/journal\.jsonl is a symbolic link: raftlab never writes through one/);
    expect(readFileSync(journalCanary, "utf8")).toBe(journalText);
    expect(existsSync(join(out, ".raftlab.lock"))).toBe(false);
  });

  it("stress -o replaces links named report.json and <iteration>.log", () => {
    const out = join(dir, "stress-links");
    mkdirSync(out);
    const canary = join(dir, "stress-canary.txt");
    writeFileSync(canary, "canary\n");
    for (const n of ["report.json", "3.log"]) symlinkSync(canary, join(out, n));
    const r = raftlab(["stress", "-n", "3", "-j", "1", "-o", out, "--", "sh", standin], realCli);
    expect(r.code).toBe(1);
    expect(readFileSync(canary, "utf8")).toBe("canary\n");
    expect(readFileSync(join(out, "3.log"), "utf8")).toContain("assertion failed");
    expect(lstatSync(join(out, "report.json")).isSymbolicLink()).toBe(false);
  });
});

describe("reports are data from outside (issue 20 point 5)", () => {
  it("merge refuses reports that contradict each other, in one line naming the run, exit 2", () => {
    for (const order of [
      ["passes-seed-3.json", "fails-seed-3.json"],
      ["fails-seed-3.json", "passes-seed-3.json"],
    ]) {
      const r = raftlab(["merge", ...order.map((f) => join(reports, f))]);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(
        /^raftlab merge: the reports contradict each other: FakeFlaky seed 3 passed in .*passes-seed-3\.json and failed in .*fails-seed-3\.json; a run \(test, seed, impl, strict\) is deterministic/,
      );
      expect(r.stdout).toBe("");
    }
  });

  it("merge keeps a failure over a pass that is not a contradiction (a timeout depends on the machine)", () => {
    const r = raftlab(["merge", join(reports, "passes-seed-3.json"), join(reports, "times-out-seed-3.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("kept one of each (a failing one over a passing one)");
    expect(lastLine(r.stdout)).toBe("2 passed, 1 failed");
  });

  it("numbers out of range are one-line errors, exit 2, at once (no 3 GB list, no RangeError stack)", () => {
    const cases: [string, RegExp][] = [
      ["shard-count-30000000.json", /shard\.count must be an integer in 1\.\.10000, got 30000000$/],
      ["shard-count-2e8.json", /shard\.count must be an integer in 1\.\.10000, got 200000000$/],
      ["seed-negative.json", /runs\[0\]\.seed must be an integer in 0\.\.4294967295, got -5$/],
      ["seed-fraction.json", /runs\[0\]\.seed must be an integer in 0\.\.4294967295, got 1\.5$/],
      ["wall-ms-huge.json", /runs\[0\]\.wallMs must be a number in 0\.\.1000000000000, got 1e\+300$/],
      ["omitted-negative.json", /omittedPassingRuns must be an integer in 0\.\.\d+, got -1$/],
      ["iterations-huge.json", /batch\.iterations must be an integer in 1\.\.10000000, got 100000000000000000000$/],
      ["stress-shard-count-30000000.json", /shard\.count must be an integer in 1\.\.10000, got 30000000$/],
    ];
    for (const [file, why] of cases) {
      for (const command of [
        ["merge", join(reports, file), join(reports, file)],
        ["triage", join(reports, file)],
      ]) {
        const r = raftlab(command, realCli);
        expect(r.code, `${command.join(" ")}`).toBe(2);
        oneLine(r.stderr);
        expect(r.stderr.trimEnd()).toMatch(why);
      }
    }
  });
});
