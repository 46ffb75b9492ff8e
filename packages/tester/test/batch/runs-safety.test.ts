// The runs kit's safety pieces on their own (issue 20 points 2-5): atomic writes, the folder lock, the
// journal's torn-line repair, merge's handling of repeated runs, and the bounded missing-shards line.

import { spawnSync } from "node:child_process";
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAppendNoFollow, writeFileAtomic } from "../../src/runs/atomic.js";
import { LOCK_FILE, lockFolder } from "../../src/runs/lock.js";
import { readJournal, repairTornTail } from "../../src/runs/journal.js";
import { findContradictions, mergeRuns, missingShardsLine } from "../../src/runs/merge.js";
import type { RunRecord } from "../../src/runs/record.js";

const dir = mkdtempSync(join(tmpdir(), "raftlab-runs-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(dir, `d${n++}`);
  spawnSync("mkdir", ["-p", d]);
  return d;
};

/** The pid of a process that has ended (and been reaped). */
const deadPid = (): number => spawnSync(process.execPath, ["-e", "0"]).pid ?? 999_999;

describe("writeFileAtomic", () => {
  it("replaces a symbolic link with the file, leaving the link's target as it was, and leaves no temporary file", () => {
    const d = fresh();
    writeFileSync(join(d, "canary"), "canary");
    symlinkSync(join(d, "canary"), join(d, "report.json"));
    writeFileAtomic(join(d, "report.json"), "new", { syncDir: true });
    expect(readFileSync(join(d, "canary"), "utf8")).toBe("canary");
    expect(lstatSync(join(d, "report.json")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(d, "report.json"), "utf8")).toBe("new");
    expect(readdirSync(d).sort()).toEqual(["canary", "report.json"]);
  });

  it("appending refuses a link in one line (O_NOFOLLOW)", () => {
    const d = fresh();
    writeFileSync(join(d, "canary"), "canary");
    symlinkSync(join(d, "canary"), join(d, "journal.jsonl"));
    expect(() => openAppendNoFollow(join(d, "journal.jsonl"))).toThrow(/journal\.jsonl is a symbolic link: raftlab never writes through one/);
  });
});

describe("lockFolder", () => {
  it("takes the lock, refuses a second taker naming the holder, and frees it on release", () => {
    const d = fresh();
    const lock = lockFolder(d, "raftlab batch");
    const owner = JSON.parse(readFileSync(join(d, LOCK_FILE), "utf8")) as { pid: number; host: string };
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockFolder(d, "raftlab stress")).toThrow(new RegExp(`is being written by raftlab batch \\(pid ${process.pid} on `));
    lock.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    lockFolder(d, "raftlab stress").release();
  });

  it("takes over a lock whose process is gone, and a lock file that is not one", () => {
    const d = fresh();
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: "then", procStart: null, command: "raftlab batch" }));
    const lock = lockFolder(d, "raftlab batch");
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();
    writeFileSync(join(d, LOCK_FILE), "garbage");
    lockFolder(d, "raftlab batch").release();
  });

  it("takes over a lock whose pid now belongs to another process (its start time differs)", () => {
    if (!existsSync("/proc/self/stat")) return; // the start-time check is Linux's
    const d = fresh();
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "long ago", procStart: "1", command: "raftlab batch" }));
    // Our own pid is alive but did not start at tick 1: the lock's owner is gone, the lock is stale.
    lockFolder(d, "raftlab batch").release();
  });
});

describe("repairTornTail", () => {
  const repair = (text: string): { result: string | null; after: string } => {
    const d = fresh();
    const p = join(d, "journal.jsonl");
    writeFileSync(p, text);
    const fd = openSync(p, "r+");
    try {
      return { result: repairTornTail(fd, p), after: readFileSync(p, "utf8") };
    } finally {
      closeSync(fd);
    }
  };
  it("leaves a whole journal alone", () => {
    expect(repair('{"a":1}\n')).toEqual({ result: null, after: '{"a":1}\n' });
    expect(repair("")).toEqual({ result: null, after: "" });
  });
  it("cuts a torn last line, saying how many bytes", () => {
    const r = repair('{"a":1}\n{"run":{"te');
    expect(r.after).toBe('{"a":1}\n');
    expect(r.result).toMatch(/dropped a torn last line \(11 bytes/);
  });
  it("completes a whole last line that lacks only its newline", () => {
    const r = repair('{"a":1}\n{"end":true}');
    expect(r.after).toBe('{"a":1}\n{"end":true}\n');
    expect(r.result).toMatch(/completed it/);
  });
  it("cuts a torn first line, longer than the read-back chunk", () => {
    const r = repair(`{"x":"${"y".repeat(200_000)}`);
    expect(r.after).toBe("");
  });
  it("readJournal counts torn lines it skips", () => {
    const d = fresh();
    const p = join(d, "journal.jsonl");
    const header = JSON.stringify({
      journal: "raftlab-batch-journal",
      version: 1,
      impl: null,
      batch: { tests: ["T"], iterations: 1, seedStart: 1, sequential: false, loop: false, timeoutSec: 1, maxMemoryMb: 1 },
      startedAt: "",
    });
    writeFileSync(p, `${header}\n{"run":{"te${header}\n{"run":{"t`);
    expect(readJournal(p).tornLines).toBe(2);
  });
});

const rec = (seed: number, ok: boolean, kind: RunRecord["kind"] = ok ? null : "fail"): RunRecord => ({
  test: "T",
  seed,
  ok,
  signature: ok ? null : "sig",
  kind,
  message: ok ? null : "m",
  invariant: null,
  virtualMs: 1,
  wallMs: 1,
  rpcs: null,
  bytes: null,
  cmds: null,
  peers: null,
  trace: null,
  log: null,
  traceTruncated: false,
});

describe("merge of repeated runs", () => {
  it("keeps a failing run over a passing one, whichever report comes first", () => {
    expect(mergeRuns([[rec(1, true)], [rec(1, false)]]).runs[0]?.ok).toBe(false);
    expect(mergeRuns([[rec(1, false)], [rec(1, true)]]).runs[0]?.ok).toBe(false);
  });
  it("calls a pass and a fail of one seed a contradiction only for a verdict the seed decides, under the same --strict", () => {
    const a = { name: "a", strict: false, runs: [rec(1, true), rec(2, true), rec(3, true)] };
    const b = { name: "b", strict: false, runs: [rec(1, false), rec(2, false, "timeout"), rec(3, false, "violation")] };
    expect(findContradictions([a, b]).map((c) => c.seed)).toEqual([1, 3]);
    expect(findContradictions([a, { ...b, strict: true }])).toEqual([]);
  });
  it("bounds the missing-shards line", () => {
    const line = missingShardsLine([{ index: 1, count: 10_000 }]) ?? "";
    expect(line.length).toBeLessThan(200);
    expect(line).toMatch(/^missing shards 2, 3, .*, 21, … 9979 more of 10000 \(have 1\/10000\)$/);
  });
});
