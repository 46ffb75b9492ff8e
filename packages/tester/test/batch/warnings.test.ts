// Counted warnings of the checker (heartbeat rate, the lab's "term changed") in batch results: kept in each
// run's record and the JSON report, counted per test in the summary table (a "Warned" column, shown only
// when some run warned), and read back by triage and merge.

import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/runs/record.js";
import { checkRecord } from "../../src/runs/report.js";
import { BatchTally } from "../../src/runs/stats.js";
import { formatSummaryTable } from "../../src/runs/table.js";

function rec(test: string, seed: number, warnings?: RunRecord["warnings"]): RunRecord {
  return {
    test,
    seed,
    ok: true,
    signature: null,
    kind: null,
    message: null,
    invariant: null,
    virtualMs: 1000,
    wallMs: 5,
    rpcs: 10,
    bytes: 100,
    cmds: 1,
    peers: 3,
    trace: null,
    log: null,
    traceTruncated: false,
    ...(warnings !== undefined ? { warnings } : {}),
  };
}

describe("warnings in batch results", () => {
  it("are counted per test: runs that warned and warnings in all, in a Warned column", () => {
    const tally = new BatchTally();
    tally.add(rec("TestInitialElection3A", 1, [{ kind: "Heartbeat Rate", count: 2 }]));
    tally.add(
      rec("TestInitialElection3A", 2, [
        { kind: "Heartbeat Rate", count: 1 },
        { kind: "Term Changed", count: 1 },
      ]),
    );
    tally.add(rec("TestInitialElection3A", 3));
    tally.add(rec("TestBackup3B", 1));
    const [a, b] = tally.tests;
    expect(a).toMatchObject({ test: "TestInitialElection3A", total: 3, warned: 2, warnings: 4 });
    expect(b).toMatchObject({ test: "TestBackup3B", total: 1, warned: 0, warnings: 0 });
    const lines = formatSummaryTable(tally);
    expect(lines[0]).toMatch(/Wall \(ms\) {2}Warned$/);
    expect(lines[2]).toMatch(/^TestInitialElection3A .* 2 \(4\)$/);
    expect(lines[3]).toMatch(/^TestBackup3B .* 0$/);
  });

  it("no Warned column when no run warned (the table is unchanged)", () => {
    const tally = new BatchTally();
    tally.add(rec("TestBackup3B", 1));
    expect(formatSummaryTable(tally)[0]).toMatch(/Wall \(ms\)$/);
  });

  it("survive the JSON report: a record's warnings are read back, and bad ones are one-line errors", () => {
    const r = rec("TestInitialElection3A", 1, [{ kind: "Heartbeat Rate", count: 2 }]);
    const back = checkRecord(JSON.parse(JSON.stringify(r)) as unknown, "runs[0]");
    expect(back.warnings).toEqual([{ kind: "Heartbeat Rate", count: 2 }]);
    expect(checkRecord(JSON.parse(JSON.stringify(rec("T", 1))) as unknown, "runs[0]").warnings).toBeUndefined();
    expect(() => checkRecord({ ...r, warnings: [{ kind: 3, count: 1 }] }, "runs[0]")).toThrow("runs[0].warnings must be a list of {kind, count}");
  });
});
