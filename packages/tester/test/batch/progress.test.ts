// Progress output: the live panel's contents, plain periodic lines, failure lines, and colour rules.

import { describe, expect, it } from "vitest";
import { FAIL_LINES_ALL, Progress } from "../../src/runs/progress.js";
import type { RunRecord } from "../../src/runs/record.js";
import { makeStyle } from "@raftlab/raft/terminal";

function rec(test: string, seed: number, ok: boolean, signature = "fail: x"): RunRecord {
  return {
    test,
    seed,
    ok,
    signature: ok ? null : signature,
    kind: ok ? null : "fail",
    message: ok ? null : `boom ${seed}`,
    invariant: null,
    virtualMs: 100,
    wallMs: 5,
    rpcs: 1,
    bytes: 1,
    cmds: 1,
    peers: 3,
    trace: null,
    log: ok ? null : `${test}-${seed}.log`,
    traceTruncated: false,
  };
}

function sink(tty: boolean): { text: () => string; write: (s: string) => boolean; isTTY: boolean; columns: number; rows: number } {
  let buf = "";
  return { text: () => buf, write: (s: string) => ((buf += s), true), isTTY: tty, columns: 100, rows: 30 };
}

describe("Progress", () => {
  it("shows per-test done/total, failures in red, and an overall status with rate and ETA", () => {
    let now = 0;
    const err = sink(true);
    const out = sink(true);
    const p = new Progress({ stream: err, out, live: true, style: makeStyle(true), now: () => now });
    p.startRound(
      0,
      new Map([
        ["InitialElection3A", 4],
        ["ReElection3A", 4],
      ]),
    );
    now = 2000;
    p.result(rec("InitialElection3A", 1, true), null);
    p.result(rec("ReElection3A", 1, false), "out/ReElection3A-1.log");
    const panel = p.panel();
    // Two test cells fit side by side in 100 columns.
    expect(panel[0]).toMatch(/InitialElection3A\s+1\/4/);
    expect(panel[0]).toContain("\u001b[31mReElection3A"); // the failed test is red
    expect(panel[0]).toMatch(/ReElection3A.*1\/4.*1 failed/);
    expect(panel.at(-1)).toMatch(/2\/8 runs \(25%\).*1 failed \(1 signature\).*1\.0 runs\/s.*ETA 00:06.*elapsed 00:02/);
    expect(out.text()).toContain("FAIL\u001b[39m ReElection3A seed 1 [fail]: boom 1");
    expect(out.text()).toContain("out/ReElection3A-1.log");
    p.stop();
    expect(err.text().endsWith("\u001b[?25h")).toBe(true);
  });

  it("writes plain status lines without colour or cursor movement when not on a TTY", () => {
    const err = sink(false);
    const out = sink(false);
    const p = new Progress({ stream: err, out, live: false, style: makeStyle(false), now: () => 5000 });
    p.startRound(0, new Map([["A", 2]]));
    p.result(rec("A", 1, false), null);
    p.result(rec("A", 2, true), null);
    p.stop();
    expect(err.text()).toBe("[00:00] 2/2 runs (100%) · 1 failed (1 signature) · 0.0 runs/s · ETA --:-- · elapsed 00:00\n");
    expect(out.text()).toBe("FAIL A seed 1 [fail]: boom 1\n");
    expect(err.text() + out.text()).not.toContain("\u001b");
  });

  it("after the first failures, prints a line only for a new signature", () => {
    const out = sink(false);
    const p = new Progress({ stream: sink(false), out, live: false, style: makeStyle(false) });
    p.startRound(0, new Map([["A", 100]]));
    for (let i = 1; i <= FAIL_LINES_ALL + 10; i++) p.result(rec("A", i, false), null);
    p.result(rec("A", 99, false, "fail: other"), null);
    p.stop();
    const lines = out.text().trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("FAIL"))).toHaveLength(FAIL_LINES_ALL + 1);
    expect(lines).toContain("FAIL (new signature) A seed 99 [fail]: boom 99");
    expect(lines.at(-1)).toBe("(10 more failures with signatures already shown; see the triage below)");
  });
});

describe("Progress panel on a small terminal", () => {
  it("shows failing and running tests first and counts the hidden ones", () => {
    const err = { write: () => true, isTTY: true, columns: 60, rows: 10 };
    const p = new Progress({ stream: err, out: { write: () => true }, live: false, style: makeStyle(false) });
    const totals = new Map(Array.from({ length: 28 }, (_, i) => [`Test${String(i).padStart(2, "0")}`, 2] as [string, number]));
    p.startRound(0, totals);
    for (let i = 0; i < 20; i++) {
      p.result(rec(`Test${String(i).padStart(2, "0")}`, 1, true), null);
      p.result(rec(`Test${String(i).padStart(2, "0")}`, 2, true), null);
    }
    p.result(rec("Test25", 1, false), null);
    p.result(rec("Test22", 1, true), null);
    const panel = p.panel();
    p.stop();
    expect(panel.length).toBeLessThanOrEqual(10);
    // Two cells per row: the failing test first, then the one running.
    expect(panel[0]).toMatch(/^✗ Test25 +1\/2 1 failed +. Test22 +1\/2$/);
    expect(panel.join("\n")).toMatch(/… \d+ more tests \(\d+ finished clean\)/);
    for (const line of panel) expect(line.length).toBeLessThanOrEqual(60);
  });
});
