// Issue 10: -j is clamped to what the machine can use (-j 100 on 2 CPUs took 70 s and 1.1 GB for a batch
// that takes 2.8 s at -j 2), and the batch says so instead of silently obeying or silently ignoring it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { clampWorkers, defaultOutDir, defaultWorkers, MAX_WORKERS_PER_CPU } from "../../src/batch/batch.js";

describe("default output folder", () => {
  it("is unique per process and per call within one second (issue 18)", () => {
    const at = new Date(2026, 0, 2, 3, 4, 5);
    const a = defaultOutDir(at, 4242);
    const b = defaultOutDir(at, 4242);
    const c = defaultOutDir(at, 4343);
    expect(a).toBe("raftlab-out/20260102-030405-4242");
    expect(b).toBe("raftlab-out/20260102-030405-4242.2");
    expect(c).toBe("raftlab-out/20260102-030405-4343");
  });
});

describe("-j clamp", () => {
  it("keeps a sane -j and clamps an absurd one to MAX_WORKERS_PER_CPU per CPU, with a note", () => {
    expect(clampWorkers(2, 2)).toEqual({ workers: 2, note: null });
    expect(clampWorkers(4, 2)).toEqual({ workers: 4, note: null });
    const c = clampWorkers(100, 2);
    expect(c.workers).toBe(2 * MAX_WORKERS_PER_CPU);
    expect(c.note).toMatch(/^-j 100 clamped to 4 \(2 per CPU, 2 CPUs here\)/);
    expect(clampWorkers(3, 0).workers).toBe(MAX_WORKERS_PER_CPU);
  });

  it("raftlab batch -j 1000 says it clamped, on one stderr line, and runs on the clamped count", () => {
    const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const out = mkdtempSync(join(tmpdir(), "raftlab-j-"));
    try {
      const r = spawnSync(process.execPath, [cli, "batch", "TestInitialElection3A", "-n", "1", "-j", "1000", "-q", "-o", out], {
        encoding: "utf8",
        timeout: 120_000,
      });
      const max = defaultWorkers() * MAX_WORKERS_PER_CPU;
      expect(r.status).toBe(0);
      expect(r.stderr.split("\n").filter((l) => l.includes("clamped"))).toEqual([
        expect.stringMatching(new RegExp(`^raftlab batch: -j 1000 clamped to ${max} `)),
      ]);
      expect(r.stdout).toMatch(/1 passed, 0 failed\s*$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);
});
