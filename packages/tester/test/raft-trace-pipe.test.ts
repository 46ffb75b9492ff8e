// Issue 9: `RAFT_TRACE=1 pnpm test | logviz` must never splice lines. Parallel vitest workers used to
// write into the same pipe, and large writes are not atomic: JSON lines were spliced mid-line and some
// tests lost their TestBegin. Now one reporter in vitest's main process writes each run's trace whole.
// This runs vitest itself (the 3A part of the lab suite, in parallel workers) with RAFT_TRACE=1 and
// checks what reached the pipe: every JSON line parses, every run is one contiguous block from
// TestBegin to TestEnd, and logviz reads the pipe with every run labelled.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

describe("RAFT_TRACE=1 vitest | logviz (issue 9)", () => {
  it("every trace line arrives whole, and every run's trace is one labelled block", () => {
    const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "packages/tester/test/lab-suite.test.ts", "-t", "3A seed"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, RAFT_TRACE: "1", NO_COLOR: "1", FORCE_COLOR: "0" },
      timeout: 300_000,
      maxBuffer: 512 * 1024 * 1024,
    });
    expect(r.status, r.stderr).toBe(0);
    const json = r.stdout.split("\n").filter((l) => l.startsWith("{"));
    const events = json.map((l, i) => {
      try {
        return JSON.parse(l) as { op?: string; test?: string; seed?: number };
      } catch {
        throw new Error(`line ${i + 1} of the trace is not whole JSON: ${l.slice(0, 120)}`);
      }
    });
    // 3A: 3 tests × 2 seeds on our Raft, and 3 on the example Raft.
    const begins = events.filter((e) => e.op === "TestBegin");
    expect(begins.length).toBe(9);
    // Contiguous blocks: TestBegin, the run's events, TestEnd, then the next TestBegin.
    let open: string | null = null;
    for (const e of events) {
      if (e.op === "TestBegin") {
        expect(open, "a TestBegin inside another run's block").toBeNull();
        open = `${e.test}#${e.seed}`;
      } else {
        expect(open, `an event outside any run: ${JSON.stringify(e).slice(0, 100)}`).not.toBeNull();
        if (e.op === "TestEnd") open = null;
      }
    }
    expect(open).toBeNull();
    // logviz reads the same pipe: each run is labelled by its test.
    const lv = spawnSync(process.execPath, [join(root, "packages/logviz/bin/logviz.js"), "--print", "--layout", "list"], {
      input: r.stdout,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      timeout: 120_000,
    });
    expect(lv.status).toBe(0);
    for (const t of ["TestInitialElection3A", "TestReElection3A", "TestManyElections3A"]) expect(lv.stdout).toContain(t);
  }, 320_000);
});
