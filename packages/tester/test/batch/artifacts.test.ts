// Saved-run artifacts: the .log header round-trips, and folder creation is bounded and exact.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatRunLog, makeDirs, parseRunLogHeader } from "../../src/runs/artifacts.js";
import { loadSavedResults } from "../../src/batch/load.js";
import type { RunRecord } from "../../src/runs/record.js";
import { REPORT_FORMAT, REPORT_VERSION, serialiseReport } from "../../src/runs/report.js";
import { formatTriage, groupFailures } from "../../src/runs/triage.js";
import { makeStyle } from "@raftlab/raft/terminal";

const dir = mkdtempSync(join(tmpdir(), "raftlab-artifacts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run log", () => {
  it("carries --impl and --strict into its header and its replay command, and triage of the .log reads them back (issue 10)", () => {
    const record: RunRecord = {
      test: "TestBackup3B",
      seed: 7,
      ok: false,
      signature: "warning: Heartbeat Rate",
      kind: "fail",
      message: "Heartbeat Rate",
      invariant: null,
      virtualMs: 100,
      wallMs: 1,
      rpcs: 1,
      bytes: 1,
      cmds: 1,
      peers: 5,
      trace: null,
      log: "TestBackup3B-7.log",
      traceTruncated: false,
    };
    const text = formatRunLog({ record, impl: "/labs/my raft/dist/raft.js", strict: true, output: [], outputTruncated: 0 });
    const h = parseRunLogHeader(text);
    expect(h?.get("impl")).toBe("/labs/my raft/dist/raft.js");
    expect(h?.get("strict")).toBe("true");
    expect(h?.get("replay")).toBe("raftlab run TestBackup3B --seed 7 --impl '/labs/my raft/dist/raft.js' --strict --trace | logviz");
    const path = join(dir, "TestBackup3B-7.log");
    writeFileSync(path, text);
    const loaded = loadSavedResults(path);
    expect(loaded.impl).toBe("/labs/my raft/dist/raft.js");
    expect(loaded.strict).toBe(true);
    expect(loaded.runs[0]).not.toHaveProperty("impl");
  });

  it("triage of a saved .jsonl takes --impl and --strict from the .log beside it, else from report.json, else says it cannot tell (issue 18)", () => {
    const sub = join(dir, "jsonl-impl");
    mkdirSync(sub);
    const trace =
      [
        JSON.stringify({ t: 0, op: "TestBegin", test: "TestInitialElection3A", seed: 3 }),
        JSON.stringify({ t: 512, op: "TestFail", msg: "expected one leader, got none" }),
        JSON.stringify({ t: 512, op: "TestEnd", ok: false }),
      ].join("\n") + "\n";
    const tracePath = join(sub, "TestInitialElection3A-3.jsonl");
    writeFileSync(tracePath, trace);
    // Alone: the replay would run raftlab's Raft; the note says so.
    const alone = loadSavedResults(tracePath);
    expect(alone.impl).toBeNull();
    expect(alone.implUnknown).toBe(true);
    expect(alone.note).toContain("--impl");
    // With the run's .log beside it: its header's impl and strict.
    const record: RunRecord = {
      test: "TestInitialElection3A",
      seed: 3,
      ok: false,
      signature: "fail: expected one leader, got none",
      kind: "fail",
      message: "expected one leader, got none",
      invariant: null,
      virtualMs: 512,
      wallMs: 1,
      rpcs: 1,
      bytes: 1,
      cmds: 1,
      peers: 3,
      trace: "TestInitialElection3A-3.jsonl",
      log: "TestInitialElection3A-3.log",
      traceTruncated: false,
    };
    writeFileSync(join(sub, "TestInitialElection3A-3.log"), formatRunLog({ record, impl: "/p/dist/raft.js", strict: true, output: [], outputTruncated: 0 }));
    const logged = loadSavedResults(tracePath);
    expect(logged.impl).toBe("/p/dist/raft.js");
    expect(logged.strict).toBe(true);
    expect(logged.note).toBeNull();
    const lines = formatTriage(groupFailures(logged.runs), { impl: logged.impl, strict: logged.strict, outDir: sub, style: makeStyle(false) });
    expect(lines.join("\n")).toContain("replay: raftlab run TestInitialElection3A --seed 3 --impl /p/dist/raft.js --strict");
    // Only report.json beside it: the report's impl.
    rmSync(join(sub, "TestInitialElection3A-3.log"));
    writeFileSync(
      join(sub, "report.json"),
      serialiseReport({
        format: REPORT_FORMAT,
        version: REPORT_VERSION,
        impl: "/q/raft.js",
        shard: null,
        outDir: sub,
        workers: 1,
        startedAt: "2026-01-01T00:00:00.000Z",
        elapsedMs: 1,
        interrupted: false,
        runs: [record],
        omittedPassingRuns: 0,
        replayChecks: [],
      }),
    );
    expect(loadSavedResults(tracePath).impl).toBe("/q/raft.js");
  });

  it("has a header triage can read back, the output, then the full failure message", () => {
    const record: RunRecord = {
      test: "TestBackup3B",
      seed: 42,
      ok: false,
      signature: "fail: one(N) failed to reach agreement",
      kind: "fail",
      message: "one(17) failed to reach agreement\nsecond line",
      invariant: null,
      virtualMs: 17000,
      wallMs: 123.456,
      rpcs: 2000,
      bytes: 10,
      cmds: 102,
      peers: 5,
      trace: "TestBackup3B-42.jsonl",
      log: "TestBackup3B-42.log",
      traceTruncated: true,
    };
    const text = formatRunLog({ record, impl: null, output: ["Test (3B): leader backs up quickly ...", "S1 says hi"], outputTruncated: 3 });
    const h = parseRunLogHeader(text);
    expect(h?.get("test")).toBe("TestBackup3B");
    expect(h?.get("seed")).toBe("42");
    expect(h?.get("result")).toBe("fail");
    expect(h?.get("signature")).toBe("fail: one(N) failed to reach agreement");
    expect(h?.get("message")).toBe("one(17) failed to reach agreement ⏎ second line");
    expect(h?.get("wall-ms")).toBe("123.5");
    expect(h?.get("trace")).toBe("TestBackup3B-42.jsonl (truncated)");
    expect(h?.get("replay")).toBe("raftlab run TestBackup3B --seed 42 --trace | logviz");
    expect(text).toContain(
      "\n\nTest (3B): leader backs up quickly ...\nS1 says hi\n… 3 more output lines not kept (cap reached)\n\nFAIL: one(17) failed to reach agreement\nsecond line\n",
    );
    expect(parseRunLogHeader("some other file\n")).toBeNull();
  });
});

describe("makeDirs", () => {
  it("creates nested folders and returns the first one it made", () => {
    const target = join(dir, "a", "b", "c");
    expect(makeDirs(target)).toBe(join(dir, "a"));
    expect(existsSync(target)).toBe(true);
    expect(makeDirs(target)).toBeNull();
  });

  it("fails with ENOTDIR when a file is in the way", () => {
    const file = join(dir, "f");
    writeFileSync(file, "");
    expect(() => makeDirs(join(file, "x"))).toThrow(/ENOTDIR/);
  });

  it.runIf(existsSync("/proc/self"))("returns an error for a path under /proc instead of spinning (Node's recursive mkdir loops there)", () => {
    expect(() => makeDirs("/proc/raftlab-nope/x")).toThrow();
  });
});
