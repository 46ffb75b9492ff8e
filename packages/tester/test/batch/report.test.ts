// JSON and JUnit reports, merge of shard reports, and triage output.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSavedResults } from "../../src/batch/load.js";
import { mergeReports } from "../../src/runs/merge.js";
import type { RunRecord } from "../../src/runs/record.js";
import { REPORT_FORMAT, REPORT_VERSION, ReportError, escapeXml, formatJUnit, parseReport, serialiseReport, type BatchReport } from "../../src/runs/report.js";
import { buildRunList, shardRunList } from "../../src/runs/runlist.js";
import { formatTriage, groupFailures } from "../../src/runs/triage.js";

function rec(
  test: string,
  seed: number,
  failure?: { kind: RunRecord["kind"]; message: string; signature: string; invariant?: string },
  virtualMs = 1000 + seed,
): RunRecord {
  return {
    test,
    seed,
    ok: failure === undefined,
    signature: failure?.signature ?? null,
    kind: failure?.kind ?? null,
    message: failure?.message ?? null,
    invariant: failure?.invariant ?? null,
    virtualMs,
    wallMs: 12.5,
    rpcs: 100,
    bytes: 2000,
    cmds: 3,
    peers: 3,
    trace: failure === undefined ? null : `${test}-${seed}.jsonl`,
    log: failure === undefined ? null : `${test}-${seed}.log`,
    traceTruncated: false,
  };
}

function report(runs: RunRecord[], shard: BatchReport["shard"] = null): BatchReport {
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    impl: null,
    shard,
    outDir: "out",
    workers: 2,
    startedAt: "2026-11-22T04:00:00.000Z",
    elapsedMs: 1234,
    interrupted: false,
    runs,
    omittedPassingRuns: 0,
    replayChecks: [],
  };
}

const agree = (n: number) => ({ kind: "fail" as const, message: `one(${n}) failed to reach agreement`, signature: "fail: one(N) failed to reach agreement" });
const safety = { kind: "violation" as const, message: "term 3 has 2 leaders", signature: "violation: election-safety", invariant: "election-safety" };

describe("JSON report", () => {
  it("round-trips every run with test, seed, ok, signature, failure and times", () => {
    const r: BatchReport = {
      ...report([rec("A", 1), rec("A", 2, agree(200)), rec("B", 1, safety)]),
      replayChecks: [
        { test: "A", seed: 2, signature: "fail: one(N) failed to reach agreement", verdict: "same", detail: "same failure, byte-identical trace" },
      ],
    };
    const back = parseReport(serialiseReport(r), "r.json");
    expect(back).toEqual(r);
    expect(back.runs[1]).toMatchObject({
      test: "A",
      seed: 2,
      ok: false,
      kind: "fail",
      signature: "fail: one(N) failed to reach agreement",
      virtualMs: 1002,
      wallMs: 12.5,
      rpcs: 100,
      bytes: 2000,
    });
  });

  it("rejects other JSON, other versions and malformed runs with a one-line reason", () => {
    expect(() => parseReport("{", "x.json")).toThrow(ReportError);
    expect(() => parseReport('{"a":1}', "x.json")).toThrow(/not a raftlab batch report/);
    expect(() => parseReport(JSON.stringify({ ...report([]), version: 99 }), "x.json")).toThrow(/version 99/);
    const bad = JSON.parse(serialiseReport(report([rec("A", 1)]))) as { runs: Record<string, unknown>[] };
    (bad.runs[0] as Record<string, unknown>)["seed"] = "one";
    expect(() => parseReport(JSON.stringify(bad), "x.json")).toThrow(/runs\[0\]\.seed must be an integer in 0\.\.4294967295, got "one"/);
    const noKind = JSON.parse(serialiseReport(report([rec("A", 1, agree(1))]))) as { runs: Record<string, unknown>[] };
    (noKind.runs[0] as Record<string, unknown>)["kind"] = null;
    expect(() => parseReport(JSON.stringify(noKind), "x.json")).toThrow(/failed but has no kind/);
  });
});

describe("JUnit report", () => {
  it("has one suite per test, one case per run, and a failure with message, signature and replay command", () => {
    const xml = formatJUnit([rec("A", 1), rec("A", 2, agree(200)), rec("B", 1, safety)], { impl: null, outDir: "out/x" });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="raftlab batch" tests="3" failures="2"')).toBe(true);
    expect(xml).toContain('<testsuite name="A" tests="2" failures="1"');
    expect(xml).toContain('<testsuite name="B" tests="1" failures="1"');
    expect(xml).toContain('<testcase name="A seed=1" classname="raftlab.A" time="0.013"/>');
    expect(xml).toContain('<failure message="one(200) failed to reach agreement" type="fail">');
    expect(xml).toContain("replay: raftlab run A --seed 2 --trace | logviz");
    expect(xml).toContain("trace: out/x/A-2.jsonl");
    expect(xml).toContain("invariant: election-safety");
    expect(xml.match(/<testcase /g)?.length).toBe(3);
    expect(xml.match(/<failure /g)?.length).toBe(2);
  });

  it("escapes markup, quotes and characters XML forbids", () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
    expect(escapeXml("bell\u0007 nul\u0000 ok\ttab")).toBe("bell\uFFFD nul\uFFFD ok\ttab");
    const xml = formatJUnit([rec("T<x>", 1, { kind: "crash", message: 'bad "thing" <tag> & \u0001', signature: "crash: x" })], {
      impl: "./my raft.js",
      outDir: null,
    });
    expect(xml).toContain('name="T&lt;x&gt; seed=1"');
    expect(xml).toContain('message="bad &quot;thing&quot; &lt;tag&gt; &amp; \uFFFD"');
    expect(xml).toContain("--impl &apos;./my raft.js&apos;");
    // No raw markup characters survive inside attribute values.
    for (const m of xml.matchAll(/="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>&](?!amp;|lt;|gt;|quot;|apos;)/);
  });

  it("puts the end of a failing run's saved log in <system-out>, escaped", () => {
    const runs = [rec("A", 1), rec("A", 2, agree(2))];
    const xml = formatJUnit(runs, { impl: null, outDir: "o", logOf: (r) => (r.ok ? "never asked" : "Test (3B) <x> ...\nFAIL: one(2)") });
    expect(xml).toContain("<system-out>Test (3B) &lt;x&gt; ...\nFAIL: one(2)</system-out>");
    expect(xml.match(/<system-out>/g)?.length).toBe(1);
  });

  it("caps a huge failure text so the report stays small", () => {
    const xml = formatJUnit([rec("A", 1, { kind: "fail", message: "x".repeat(100_000), signature: "fail: x" })], { impl: null, outDir: null });
    expect(xml.length).toBeLessThan(20_000);
    expect(xml).toContain("more characters)");
  });
});

describe("merge", () => {
  it("joins shard reports of one run list into the whole list, whatever the shard order", () => {
    const list = buildRunList({ tests: ["A", "B", "C"], iterations: 10, seedStart: 1, sequential: false });
    const runs = list.map((i) => (i.seed % 4 === 0 ? rec(i.test, i.seed, agree(i.seed)) : rec(i.test, i.seed)));
    const shards = [1, 2, 3].map((index) => {
      const mine = new Set(shardRunList(list, { index, count: 3 }).map((i) => `${i.test}#${i.seed}`));
      return report(
        runs.filter((r) => mine.has(`${r.test}#${r.seed}`)),
        { index, count: 3 },
      );
    });
    const merged = mergeReports([shards[2], shards[0], shards[1]].map((r, i) => ({ name: `s${i}`, report: r as BatchReport })));
    expect(merged.duplicates).toBe(0);
    expect(merged.missingShards).toEqual([]);
    expect(merged.report.runs.length).toBe(30);
    expect(merged.report.runs.filter((r) => !r.ok).length).toBe(6);
    const again = mergeReports(shards.map((r, i) => ({ name: `s${i}`, report: r })));
    expect(again.report.runs).toEqual(merged.report.runs);
  });

  it("reports missing shards and duplicate runs", () => {
    const a = report([rec("A", 1), rec("A", 2)], { index: 1, count: 3 });
    const b = report([rec("A", 2), rec("A", 3)], { index: 3, count: 3 });
    const m = mergeReports([
      { name: "a", report: a },
      { name: "b", report: b },
    ]);
    expect(m.missingShards).toEqual([2]);
    expect(m.duplicates).toBe(1);
    expect(m.report.runs.map((r) => r.seed)).toEqual([1, 2, 3]);
  });

  it("refuses reports of different implementations", () => {
    expect(() =>
      mergeReports([
        { name: "a", report: report([]) },
        { name: "b", report: { ...report([]), impl: "/x.js" } },
      ]),
    ).toThrow(ReportError);
  });
});

describe("triage", () => {
  it("groups by signature, largest first, lists tests and first seeds, and replays the shortest run", () => {
    const runs = [rec("A", 9, agree(9), 5000), rec("A", 3, agree(3), 700), rec("B", 4, agree(4), 300), rec("A", 1), rec("C", 2, safety, 100)];
    const groups = groupFailures(runs);
    expect(groups.map((g) => [g.signature, g.count])).toEqual([
      ["fail: one(N) failed to reach agreement", 3],
      ["violation: election-safety", 1],
    ]);
    expect(groups[0]?.tests).toEqual([
      { test: "A", count: 2, seeds: [3, 9] },
      { test: "B", count: 1, seeds: [4] },
    ]);
    expect(groups[0]?.example).toMatchObject({ test: "B", seed: 4 });
    const text = formatTriage(groups, { impl: null, outDir: "out/run1" }).join("\n");
    expect(text).toContain("[1] 3× fail: one(N) failed to reach agreement");
    expect(text).toContain("tests:  A (2), B (1)");
    expect(text).toContain("seeds:  A: 3, 9; B: 4");
    expect(text).toContain("replay: raftlab run B --seed 4 --trace | logviz");
    expect(text).toContain("saved:  logviz out/run1/B-4.jsonl");
    expect(text).toContain("replay: raftlab run C --seed 2 --trace | logviz");
  });

  it("lists at most five seeds per test", () => {
    const runs = Array.from({ length: 8 }, (_, i) => rec("A", i + 1, agree(i)));
    expect(formatTriage(groupFailures(runs), { impl: null, outDir: null }).join("\n")).toContain("seeds:  A: 1, 2, 3, 4, 5, …");
  });

  it("says so when there are no failures", () => {
    expect(formatTriage(groupFailures([rec("A", 1)]), { impl: null, outDir: null })).toEqual(["No failures."]);
  });
});

describe("loadSavedResults", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-load-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a lone trace: test and seed from TestBegin, the failure from Violation", () => {
    const ev = (o: Record<string, unknown>) => JSON.stringify({ t: 0, src: -1, term: -1, state: "none", topic: "TEST", msg: "", ...o });
    const p = join(dir, "X-5.jsonl");
    writeFileSync(
      p,
      [
        ev({ op: "TestBegin", test: "Persist13C", seed: 77 }),
        ev({ t: 900, op: "Violation", reason: "log-matching", msg: "logs differ at index 4" }),
        ev({ t: 950, op: "TestEnd", ok: false }),
      ].join("\n") + "\n",
    );
    const loaded = loadSavedResults(p);
    expect(loaded.runs).toHaveLength(1);
    expect(loaded.runs[0]).toMatchObject({ test: "Persist13C", seed: 77, ok: false, kind: "violation", signature: "violation: log-matching", virtualMs: 950 });
  });

  it("treats a trace that stops before TestEnd as a run that never finished", () => {
    const p = join(dir, "Y-3.jsonl");
    writeFileSync(
      p,
      `${JSON.stringify({ t: 0, src: -1, term: -1, state: "none", op: "TestBegin", topic: "TEST", msg: "", test: "Y", seed: 3 })}\n{"t": 5, "sr`,
    );
    expect(loadSavedResults(p).runs[0]).toMatchObject({ test: "Y", seed: 3, ok: false, kind: "timeout" });
  });

  it("gives a one-line error for a corrupt trace line, a missing path and a foreign file", () => {
    const p = join(dir, "Z-1.jsonl");
    writeFileSync(p, "not json\n{}\n{}\n");
    expect(() => loadSavedResults(p)).toThrow(/Z-1.jsonl:1: not a JSON trace event/);
    expect(() => loadSavedResults(join(dir, "nope"))).toThrow(/no such file/);
    const q = join(dir, "other.log");
    writeFileSync(q, "hello\n");
    expect(() => loadSavedResults(q)).toThrow(/not a raftlab batch run log/);
  });
});

describe("a file that is not a report", () => {
  it("is a one-line error naming the file, even when the JSON parser quotes a multi-line excerpt", () => {
    for (const text of ["garbage\nmore\n", '{"a":', ""]) {
      let message = "";
      try {
        parseReport(text, "bad.json");
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^bad\.json is not JSON \(.+\); give a report written by raftlab batch --json$/);
      expect(message).not.toContain("\n");
    }
  });
});
