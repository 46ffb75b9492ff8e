// The batch harness against a stand-in runner (fixtures/fake-runner.mjs): failing runs are saved and
// grouped, and a run that hangs, crashes its worker thread or exhausts its heap is stopped and
// reported as that run's failure without stopping the batch. Needs the compiled worker (`tsc -b`).

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { readJournal } from "../../src/runs/journal.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { batchOptions, runBatch, type BatchOptions } from "../../src/batch/batch.js";
import { groupFailures } from "../../src/runs/triage.js";
import { loadSavedResults } from "../../src/batch/load.js";

const fakeRunner = pathToFileURL(fileURLToPath(new URL("./fixtures/fake-runner.mjs", import.meta.url))).href;
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "raftlab-batch-test-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function options(overrides: Partial<BatchOptions>): BatchOptions {
  return batchOptions(
    { tests: ["FakePass"], iterations: 4, workers: 2, outDir: join(tempDir(), "out") },
    { timeoutSec: 20, runnerModule: fakeRunner, quiet: true, ...overrides },
  );
}

describe("batch harness (stand-in runner)", () => {
  it("saves the trace and log of failing runs only, and groups them by signature", async () => {
    const o = options({ tests: ["FakePass", "FakeFlaky", "FakeViolation"], iterations: 8 });
    const outcome = await runBatch(o);
    expect(outcome.tally.total).toBe(24);
    // FakeFlaky fails on seeds 3 and 6, FakeViolation on seeds 4 and 8.
    expect(
      outcome.records
        .filter((r) => !r.ok)
        .map((r) => `${r.test}-${r.seed}`)
        .sort(),
    ).toEqual(["FakeFlaky-3", "FakeFlaky-6", "FakeViolation-4", "FakeViolation-8"].sort());
    expect(outcome.exitCode).toBe(1);
    const saved = readdirSync(o.outDir).sort();
    expect(saved).toEqual(
      [
        ...["FakeFlaky-3", "FakeFlaky-6", "FakeViolation-4", "FakeViolation-8"].flatMap((s) => [`${s}.jsonl`, `${s}.log`]),
        "journal.jsonl",
        "report.json",
      ].sort(),
    );
    // The batch wrote its folder's report.json itself and gave up the folder's lock (no .raftlab.lock left).
    expect(outcome.folderReport).toEqual({ path: join(o.outDir, "report.json"), error: null });
    // The journal holds every run, passing ones too (what triage reads if the batch is killed).
    const journal = readJournal(join(o.outDir, "journal.jsonl"));
    expect(journal.runs.length).toBe(outcome.records.length);
    expect(journal.runs.filter((r) => r.ok).length).toBe(outcome.records.filter((r) => r.ok).length);
    // A new batch (not --resume) into the same folder starts the journal afresh: the old runs are not its.
    const again = await runBatch({ ...o, tests: ["FakePass"], iterations: 2 });
    expect(
      readJournal(join(o.outDir, "journal.jsonl"))
        .runs.map((r) => `${r.test}-${r.seed}`)
        .sort(),
    ).toEqual(again.records.map((r) => `${r.test}-${r.seed}`).sort());
    // Records are in run-list order (interleaved: seed 1 of every test, then seed 2, ...).
    expect(outcome.records.slice(0, 3).map((r) => `${r.test}-${r.seed}`)).toEqual(["FakePass-1", "FakeFlaky-1", "FakeViolation-1"]);
    // Each group's example was replayed and reproduced exactly.
    expect(outcome.replayChecks.map((c) => [c.test, c.verdict])).toEqual(
      expect.arrayContaining([
        ["FakeFlaky", "same"],
        ["FakeViolation", "same"],
      ]),
    );
    expect(outcome.replayChecks).toHaveLength(2);
    const groups = groupFailures(outcome.records);
    expect(groups.map((g) => [g.signature, g.count])).toEqual([
      ["fail: one(N) failed to reach agreement after N ms", 2],
      ["violation: election-safety", 2],
    ]);
    // The saved trace is the whole trace: TestBegin first, TestEnd last.
    const lines = readFileSync(join(o.outDir, "FakeFlaky-3.jsonl"), "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ op: "TestBegin", test: "FakeFlaky", seed: 3 });
    expect(JSON.parse(lines.at(-1) ?? "{}")).toMatchObject({ op: "TestEnd", ok: false });
    const log = readFileSync(join(o.outDir, "FakeFlaky-3.log"), "utf8");
    expect(log).toContain("# replay: raftlab run FakeFlaky --seed 3 --trace | logviz");
    expect(log).toContain("FAIL: one(300) failed to reach agreement");
  });

  it("flags a failure whose replay is not identical (a Raft that escapes the seeded runtime)", async () => {
    const outcome = await runBatch(options({ tests: ["FakeNondet"], iterations: 2 }));
    expect(outcome.replayChecks).toHaveLength(1);
    expect(outcome.replayChecks[0]).toMatchObject({ verdict: "differs" });
    expect(outcome.replayChecks[0]?.detail).toContain("trace differs");
  });

  it("re-running failures traced (the default) finds the same failures and saves the same traces as --trace-every-run", async () => {
    const e = options({ tests: ["FakePass", "FakeFlaky", "FakeViolation"], iterations: 8, traceEveryRun: true });
    const eager = await runBatch(e);
    const o = options({ tests: ["FakePass", "FakeFlaky", "FakeViolation"], iterations: 8 });
    const lazy = await runBatch(o);
    const key = (r: { test: string; seed: number; ok: boolean; message: string | null; virtualMs: number | null }) =>
      [r.test, r.seed, r.ok, r.message, r.virtualMs].join("|");
    expect(lazy.records.map(key)).toEqual(eager.records.map(key));
    expect(lazy.replayChecks.map((c) => c.verdict)).toEqual(["same", "same"]);
    for (const r of lazy.records.filter((x) => !x.ok)) {
      const name = `${r.test}-${r.seed}.jsonl`;
      expect(readFileSync(join(o.outDir, name), "utf8")).toBe(readFileSync(join(e.outDir, name), "utf8"));
    }
  });

  it("gives the traced re-run of a failure its own --timeout", async () => {
    // 400 ms untraced + 400 ms traced exceeds a 0.7 s limit, but each run alone is well inside it.
    const o = options({ tests: ["FakeSlowFail"], iterations: 1, workers: 1, timeoutSec: 0.7, verifyReplays: false });
    const outcome = await runBatch(o);
    expect(outcome.records[0]).toMatchObject({ ok: false, kind: "fail", message: "slow and wrong" });
    expect(existsSync(join(o.outDir, "FakeSlowFail-1.jsonl"))).toBe(true);
  });

  it("notes a failure whose traced re-run ended differently (a Raft that is not deterministic)", async () => {
    const o = options({ tests: ["FakeFlip"], iterations: 1, workers: 1, verifyReplays: false });
    const outcome = await runBatch(o);
    expect(outcome.records[0]).toMatchObject({ ok: false, message: "flipped" });
    expect(readFileSync(join(o.outDir, "FakeFlip-1.log"), "utf8")).toContain(
      "# note: the traced re-run of this run ended differently (passed): the Raft is not deterministic",
    );
  });

  it("keeps passing runs too with --archive", async () => {
    const o = options({ tests: ["FakePass"], iterations: 3, archive: true });
    const outcome = await runBatch(o);
    expect(outcome.exitCode).toBe(0);
    expect(readdirSync(o.outDir).sort()).toEqual([
      "FakePass-1.jsonl",
      "FakePass-1.log",
      "FakePass-2.jsonl",
      "FakePass-2.log",
      "FakePass-3.jsonl",
      "FakePass-3.log",
      "journal.jsonl",
      "report.json",
    ]);
  });
});

describe("batch harness (stand-in runner): limits, stops and resumes", () => {
  // The wall-clock timeout decides only the hung run's fate (it never finishes, however long we wait);
  // the runs that crash or exhaust memory get a limit far beyond what they need even on a loaded machine.
  it("stops a hung run at its timeout and finishes the batch", async () => {
    const o = options({ tests: ["FakeHang", "FakePass"], iterations: 3, timeoutSec: 3 });
    const outcome = await runBatch(o);
    expect(outcome.tally.total).toBe(6);
    const bad = outcome.records.filter((r) => !r.ok);
    expect(bad.map((r) => `${r.test}-${r.seed}`)).toEqual(["FakeHang-2"]);
    expect(bad[0]).toMatchObject({ kind: "timeout", virtualMs: null });
    // Later seeds of the same test still ran and passed on a replacement worker.
    expect(outcome.records.filter((r) => r.test === "FakeHang" && r.ok).map((r) => r.seed)).toEqual([1, 3]);
    expect(existsSync(join(o.outDir, "FakeHang-2.log"))).toBe(true);
    // Issue 10: the hung run's output is saved (from the ring shared with its thread), up to its last
    // print before the loop. It ran untraced (runs are, until they fail), so it was run once more traced
    // from the start ("diagnose"), hung again, and that run's trace is saved up to the hang.
    const log = readFileSync(join(o.outDir, "FakeHang-2.log"), "utf8");
    expect(log).toContain("S0 debug print 0 before the hang");
    expect(log).toContain("S0 debug print 2999 before the hang");
    expect(log).toMatch(/# note: the run was stopped; the saved trace holds every event until then \(\d+ events\)/);
    expect(bad[0]?.trace).toBe("FakeHang-2.jsonl");
    const trace = readFileSync(join(o.outDir, "FakeHang-2.jsonl"), "utf8").trimEnd().split("\n");
    expect(trace[0]).toContain('"op":"TestBegin"');
    expect(trace.at(-1)).toContain("last event 2999 before the hang");
    // Stopped runs cannot be compared by replay; they are reported as not checked, not as reproduced.
    expect(outcome.replayChecks.filter((c) => c.verdict !== "skipped")).toEqual([]);
  });

  it("with --trace-every-run, a hung run's trace is saved up to its last event (issue 10)", async () => {
    const o = options({ tests: ["FakeHang"], iterations: 2, timeoutSec: 3, traceEveryRun: true });
    const outcome = await runBatch(o);
    const hung = outcome.records.find((r) => !r.ok);
    expect(hung).toMatchObject({ test: "FakeHang", seed: 2, kind: "timeout", trace: "FakeHang-2.jsonl" });
    const trace = readFileSync(join(o.outDir, "FakeHang-2.jsonl"), "utf8").trimEnd().split("\n");
    expect(trace[0]).toContain('"op":"TestBegin"');
    expect(trace.at(-1)).toContain("last event 2999 before the hang");
    expect(trace.every((l) => JSON.parse(l) !== null)).toBe(true);
    expect(readFileSync(join(o.outDir, "FakeHang-2.log"), "utf8")).toMatch(
      /# note: the run was stopped; the saved trace holds every event until then \(\d+ events\)/,
    );
  });

  it("stops a crashing run and a memory hog as such, and finishes the batch", async () => {
    const o = options({ tests: ["FakeCrash", "FakeOom", "FakePass"], iterations: 5, timeoutSec: 600, maxHeapMb: 96 });
    const outcome = await runBatch(o);
    expect(outcome.tally.total).toBe(15);
    const bad = Object.fromEntries(outcome.records.filter((r) => !r.ok).map((r) => [`${r.test}-${r.seed}`, r]));
    expect(Object.keys(bad).sort()).toEqual(["FakeCrash-3", "FakeOom-4"]);
    expect(bad["FakeCrash-3"]?.kind).toBe("crash");
    expect(bad["FakeCrash-3"]?.message).toContain("boom from a stray timer");
    expect(bad["FakeOom-4"]?.message).toContain("out of memory");
    expect(outcome.records.filter((r) => r.test === "FakeOom" && r.ok).map((r) => r.seed)).toEqual([1, 2, 3, 5]);
  });

  // Issue 10: a run hoarding Buffers grew a batch past 5 GB and was labelled "timeout", because the heap
  // limit covers only the V8 heap. The timeout here is far beyond what the hog needs to reach the limit.
  it("stops a run that hoards Buffers (outside the V8 heap) at --max-memory, as out of memory", async () => {
    const o = options({ tests: ["FakeBufferHog", "FakePass"], iterations: 3, timeoutSec: 600, maxHeapMb: 128 });
    const outcome = await runBatch(o);
    expect(outcome.tally.total).toBe(6);
    const bad = outcome.records.filter((r) => !r.ok);
    expect(bad.map((r) => `${r.test}-${r.seed}`)).toEqual(["FakeBufferHog-2"]);
    expect(bad[0]?.kind).toBe("crash");
    expect(bad[0]?.message).toMatch(/^out of memory: the run held \d+ MB \(V8 heap \+ Buffers\) over the --max-memory limit of 128 MB$/);
    expect(outcome.records.filter((r) => r.test === "FakeBufferHog" && r.ok).map((r) => r.seed)).toEqual([1, 3]);
  }, 120_000);

  it("a Raft that calls process.exit ends only its worker thread: a crash of that run", async () => {
    const outcome = await runBatch(options({ tests: ["FakeExit"], iterations: 3, workers: 1 }));
    expect(outcome.records.map((r) => [r.seed, r.ok, r.kind])).toEqual([
      [1, false, "crash"],
      [2, true, null],
      [3, true, null],
    ]);
    expect(outcome.records[0]?.message).toContain("exit code 3");
  });

  it("fail-fast stops at the first failure", async () => {
    const o = options({ tests: ["FakeFlaky"], iterations: 30, workers: 1, failFast: true });
    const outcome = await runBatch(o);
    expect(outcome.failFastStopped).toBe(true);
    expect(outcome.tally.failed).toBe(1);
    expect(outcome.tally.total).toBe(3);
    expect(outcome.notRun).toBe(27);
  });

  it("an abort stops the batch cleanly and still returns what finished", async () => {
    const controller = new AbortController();
    let seen = 0;
    const o = options({
      tests: ["FakeBigTrace"],
      iterations: 200,
      workers: 2,
      signal: controller.signal,
      onResult: () => {
        if (++seen === 10) controller.abort();
      },
    });
    const outcome = await runBatch(o);
    expect(outcome.interrupted).toBe(true);
    expect(outcome.exitCode).toBe(130);
    expect(outcome.tally.total).toBeLessThan(200);
    expect(outcome.tally.total + outcome.notRun).toBe(200);
  });

  it("after an abort, still replays the failures found so far to verify them", async () => {
    const controller = new AbortController();
    // Abort once a failure has been seen, whatever the machine's speed.
    const o = options({
      tests: ["FakeFlaky", "FakeBigTrace"],
      iterations: 2000,
      workers: 2,
      signal: controller.signal,
      onResult: (r) => {
        if (!r.ok) controller.abort();
      },
    });
    const outcome = await runBatch(o);
    expect(outcome.interrupted).toBe(true);
    expect(outcome.tally.failed).toBeGreaterThan(0);
    expect(outcome.replayChecks).toHaveLength(1);
    expect(outcome.replayChecks[0]).toMatchObject({ test: "FakeFlaky", verdict: "same" });
  });

  it("--resume: runs already in the previous report are counted, not run again", async () => {
    const out = join(tempDir(), "out");
    const first = await runBatch(options({ tests: ["FakePass", "FakeFlaky"], iterations: 6, outDir: out }));
    const second = await runBatch(options({ tests: ["FakePass", "FakeFlaky"], iterations: 9, outDir: out, previousRuns: first.records }));
    expect(second.resumed).toBe(12);
    expect(second.tally.total).toBe(18);
    expect(second.tally.failed).toBe(3); // FakeFlaky seeds 3, 6 (resumed) and 9 (new)
    expect(second.records.map((r) => `${r.test}-${r.seed}`)).toEqual(Array.from({ length: 9 }, (_, i) => [`FakePass-${i + 1}`, `FakeFlaky-${i + 1}`]).flat());
    // The resumed records are the earlier ones, not re-runs.
    expect(second.records.slice(0, 12)).toEqual(first.records);
  });

  it("caps the passing runs it lists (bounded memory) but counts them all", async () => {
    const outcome = await runBatch(options({ tests: ["FakePass", "FakeFlaky"], iterations: 9, maxPassingRunsKept: 5 }));
    expect(outcome.tally.total).toBe(18);
    expect(outcome.records.filter((r) => r.ok)).toHaveLength(5);
    expect(outcome.records.filter((r) => !r.ok)).toHaveLength(3);
    expect(outcome.report.omittedPassingRuns).toBe(10);
  });

  it("--loop runs rounds growing by the factor, on fresh seeds, until stopped", async () => {
    const controller = new AbortController();
    let seen = 0;
    const o = options({
      tests: ["FakePass"],
      iterations: 3,
      loop: true,
      growth: 2,
      workers: 1,
      signal: controller.signal,
      onResult: () => {
        // Stop inside the fourth round (3 + 6 + 12 runs before it).
        if (++seen === 25) controller.abort();
      },
    });
    const outcome = await runBatch(o);
    expect(outcome.interrupted).toBe(true);
    const seeds = outcome.records.map((r) => r.seed);
    // Rounds of 3, 6, 12, ... runs on consecutive, never repeated seeds from --seed-start; with one
    // worker the finished runs are a prefix of that sequence.
    expect(seeds).toEqual(seeds.map((_, i) => i + 1));
    // Three whole rounds (3 + 6 + 12 runs) and part of the fourth ran before the abort.
    expect(seeds.length).toBeGreaterThanOrEqual(25);
    expect(seeds.length).toBeLessThan(21 + 24);
  });

  it("triage reads the saved folder back to the same groups", async () => {
    const o = options({ tests: ["FakeFlaky", "FakeViolation"], iterations: 8 });
    const outcome = await runBatch(o);
    // No report.json written here (that is the CLI's job): triage falls back to the .log files.
    const loaded = loadSavedResults(o.outDir);
    expect(groupFailures(loaded.runs).map((g) => [g.signature, g.count, g.tests.map((t) => t.seeds)])).toEqual(
      groupFailures(outcome.records).map((g) => [g.signature, g.count, g.tests.map((t) => t.seeds)]),
    );
  });
});
