// raftlab batch --shrink (src/batch/shrink-groups.ts): a mutant's failure group gets a shrunk example;
// report.json, triage and the example's .log show its schedule, `faults: N -> M` and its replay command;
// the shrunk run's trace is saved beside the original and the replay command reproduces it byte for byte.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { makeStyle } from "@raftlab/raft/terminal";
import { parseReport, serialiseReport, type BatchReport } from "../../src/runs/report.js";
import type { RunRecord } from "../../src/runs/record.js";
import { formatTriage, groupFailures } from "../../src/runs/triage.js";
import type { ShrunkExample } from "../../src/runs/shrunk.js";
import { mutantPath } from "../fixtures/mutants/load.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");

function raftlab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 280_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The shell words of a printed replay command, up to the `| logviz` pipe (its paths need no quoting here). */
function replayArgs(line: string): string[] {
  const words = line.replace(/ \| logviz$/, "").split(" ");
  expect(words.slice(0, 2)).toEqual(["raftlab", "run"]);
  return words.slice(1).filter((w) => w !== "--trace");
}

describe("raftlab batch --shrink", () => {
  it("shrinks the failure group's example: report, triage and .log show the schedule and its replay, which reproduces the shrunk trace", () => {
    const out = mkdtempSync(join(tmpdir(), "raftlab-batch-shrink-"));
    const impl = mutantPath("term-not-persisted");
    // term-not-persisted fails TestFigure83C at seed 2 (test/shrink.test.ts), after a crash.
    const r = raftlab("batch", "TestFigure83C", "--seed-start", "2", "-n", "1", "-j", "1", "--impl", impl, "--shrink", "--shrink-budget", "120", "-o", out);
    expect(r.code, r.stderr).toBe(1);

    const report = parseReport(readFileSync(join(out, "report.json"), "utf8"), "report.json");
    expect(report.shrinks).toHaveLength(1);
    const s = report.shrinks?.[0] as ShrunkExample;
    expect(s).toMatchObject({ test: "TestFigure83C", seed: 2, signature: "violation: Persist Before Reply", status: "shrunk", sameFailure: true });
    expect(s.schedule).toBe("TestFigure83C-2.schedule.json");
    expect(s.trace).toBe("TestFigure83C-2.shrunk.jsonl");
    expect(s.faultsAfter).toBeLessThan(s.faultsBefore as number);
    expect(s.faults?.some((f) => /^t=\d+\.\d{3}s crash S\d$/.test(f))).toBe(true);
    const schedulePath = join(out, "TestFigure83C-2.schedule.json");
    expect(s.replay).toBe(`raftlab run TestFigure83C --schedule ${schedulePath} --impl ${impl} --trace | logviz`);
    expect(existsSync(schedulePath)).toBe(true);
    expect(existsSync(join(out, "TestFigure83C-2.shrunk.jsonl"))).toBe(true);
    // The original trace is still there, untouched by the shrink.
    expect(existsSync(join(out, "TestFigure83C-2.jsonl"))).toBe(true);

    const faults = `faults: ${s.faultsBefore} -> ${s.faultsAfter}`;
    // The batch's own summary shows it under the group.
    expect(r.stdout).toContain(`    shrunk: ${faults}`);
    expect(r.stdout).toContain(`            replay: ${s.replay}`);

    const log = readFileSync(join(out, "TestFigure83C-2.log"), "utf8").split("\n\n")[0]?.split("\n") ?? [];
    expect(log).toContain("# shrunk-schedule: TestFigure83C-2.schedule.json");
    expect(log).toContain("# shrunk-trace: TestFigure83C-2.shrunk.jsonl");
    expect(log.some((l) => l.startsWith(`# shrunk: ${faults}  events: `))).toBe(true);
    expect(log).toContain(`# shrunk-replay: ${s.replay}`);

    const triage = raftlab("triage", out);
    expect(triage.code).toBe(1);
    expect(triage.stdout).toContain(`    shrunk: ${faults}`);
    expect(triage.stdout).toContain(`            schedule: ${schedulePath}`);
    expect(triage.stdout).toContain(`            replay: ${s.replay}`);
    expect(triage.stdout).toContain(`            saved:  logviz ${join(out, "TestFigure83C-2.shrunk.jsonl")}`);

    // The replay command reproduces the shrunk run: same broken rule, byte-identical trace.
    const traceFile = join(out, "replayed.jsonl");
    const replay = raftlab(...replayArgs(s.replay as string), "--trace", traceFile);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toContain("[violation] Persist Before Reply violated");
    expect(readFileSync(traceFile, "utf8")).toBe(readFileSync(join(out, "TestFigure83C-2.shrunk.jsonl"), "utf8"));

    // logviz marks the shrunk run's crash as the schedule's (the schedule beside the shrunk trace).
    const viz = spawnSync(
      process.execPath,
      [join(root, "packages/logviz/dist/cli.js"), join(out, "TestFigure83C-2.shrunk.jsonl"), "--print", "--layout", "list", "--op", "Crash"],
      {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 60_000,
      },
    );
    expect(viz.stdout).toMatch(/\* .*── Crash S\d {2}\[from the schedule\] {2}crash S\d/);
  }, 300_000);

  it("a Raft that ends its process (and forges a result) during the shrink fails only the shrink: the report is written and names it", () => {
    // Issue 20 §1: the shrink runs in an isolated child process, so the Raft cannot end the batch or
    // send a shrunk result of its own; the batch's verdict and report stand.
    const out = mkdtempSync(join(tmpdir(), "raftlab-batch-shrink-hostile-"));
    const impl = join(root, "packages/tester/test/fixtures/hostile/exit-when-shrunk.mjs");
    const r = raftlab("batch", "InitialElection", "-n", "1", "-j", "1", "--impl", impl, "--shrink", "--shrink-budget", "30", "-o", out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
    expect(r.stdout).toContain("shrunk TestInitialElection3A seed 1: error: the shrink's test process exited with code 0 before reporting its result");
    const report = parseReport(readFileSync(join(out, "report.json"), "utf8"), "report.json");
    expect(report.runs.map((x) => x.ok)).toEqual([false]);
    expect(report.shrinks).toEqual([
      {
        test: "TestInitialElection3A",
        seed: 1,
        signature: report.runs[0]?.signature,
        status: "error",
        detail: "the shrink's test process exited with code 0 before reporting its result",
      },
    ]);
    expect(existsSync(join(out, "forged.schedule.json"))).toBe(false);
    expect(existsSync(join(out, "TestInitialElection3A-1.schedule.json"))).toBe(false);
  }, 300_000);

  it("--shrink-budget without --shrink is a usage error", () => {
    const r = raftlab("batch", "InitialElection", "-n", "1", "--shrink-budget", "5");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^raftlab batch: --shrink-budget only makes sense with --shrink\n$/);
  }, 60_000);
});

describe("shrinks in a report", () => {
  const run: RunRecord = {
    test: "TestFigure83C",
    seed: 2,
    ok: false,
    signature: "violation: Persist Before Reply",
    kind: "violation",
    message: "Persist Before Reply violated",
    invariant: "Persist Before Reply",
    virtualMs: 1000,
    wallMs: 5,
    rpcs: 1,
    bytes: 1,
    cmds: 1,
    peers: 5,
    trace: "TestFigure83C-2.jsonl",
    log: "TestFigure83C-2.log",
    traceTruncated: false,
  };
  const shrunk: ShrunkExample = {
    test: "TestFigure83C",
    seed: 2,
    signature: "violation: Persist Before Reply",
    status: "shrunk",
    detail: "2 runs",
    schedule: "TestFigure83C-2.schedule.json",
    replay: "raftlab run TestFigure83C --schedule out/TestFigure83C-2.schedule.json --trace | logviz",
    faultsBefore: 57,
    faultsAfter: 1,
    eventsBefore: 10,
    eventsAfter: 5,
    virtualMsBefore: 3000,
    virtualMsAfter: 1000,
    sameFailure: true,
    faults: ["t=1.955s crash S2"],
  };
  const base: BatchReport = {
    format: "raftlab-batch-report",
    version: 1,
    impl: null,
    shard: null,
    outDir: "out",
    workers: 1,
    startedAt: "",
    elapsedMs: 1,
    interrupted: false,
    runs: [run],
    omittedPassingRuns: 0,
    replayChecks: [],
  };

  it("round-trips; a reader keeps the entries it can check and never fails on the optional field", () => {
    expect(parseReport(serialiseReport({ ...base, shrinks: [shrunk] }), "r").shrinks).toEqual([shrunk]);
    expect(parseReport(serialiseReport(base), "r").shrinks).toBeUndefined();
    const odd = JSON.parse(serialiseReport(base)) as Record<string, unknown>;
    odd["shrinks"] = [{ test: "T" }, shrunk, 7];
    expect(parseReport(JSON.stringify(odd), "r").shrinks).toEqual([shrunk]);
  });

  it("triage prints the shrunk faults, the schedule, its replay command and faults: N -> M under the group", () => {
    const lines = formatTriage(groupFailures([run]), { impl: null, outDir: "out", style: makeStyle(false), shrinks: [shrunk] });
    expect(lines).toContain("    shrunk: faults: 57 -> 1  events: 10 -> 5  virtual: 3.000s -> 1.000s  2 runs");
    expect(lines).toContain("            t=1.955s crash S2");
    expect(lines).toContain("            schedule: out/TestFigure83C-2.schedule.json");
    expect(lines).toContain(`            replay: ${shrunk.replay}`);
    // Without shrinks (an older report), nothing about shrinking.
    expect(formatTriage(groupFailures([run]), { impl: null, outDir: "out", style: makeStyle(false) }).join("\n")).not.toContain("shrunk");
  });
});
