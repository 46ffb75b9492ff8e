// Issue 21 point 4: `logviz TRACE --schedule FILE` marks the rows whose fault the schedule injected (an
// overlay: the trace itself stays byte-identical to the seed run's). A scheduled drop says so in its
// row, a crash or disconnect from the schedule's script says it came from the schedule; the detail pane
// names the fault; a batch's `<stem>.shrunk.jsonl` picks up the `<stem>.schedule.json` beside it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Ingest } from "../src/ingest.js";
import { printRows } from "../src/print.js";
import { detailLines } from "../src/detail.js";
import { F, LogStore } from "../src/store.js";
import { makeStyle } from "../src/style.js";
import { ScheduleOverlay } from "../src/schedule-overlay.js";
import { CLI, ensureBuilt } from "./build.js";

const TEST = "TestFigure8Unreliable3C";
const h = (t: number, op: string, msg: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ t, src: -1, term: -1, state: "none", op, topic: op === "MsgLost" ? "DROP" : "TEST", msg, ...extra });

const TRACE = [
  h(0, "TestBegin", `${TEST} seed 7`, { test: TEST, seed: 7 }),
  h(0, "NetUnreliable", "network unreliable"),
  h(120, "MsgLost", "S0 -> S1 AppendEntries lost: request dropped", { id: "a", from: 0, dst: 1, reason: "request dropped" }),
  // The same kind of loss, not in the schedule (another message): not marked.
  h(130, "MsgLost", "S0 -> S2 AppendEntries lost: request dropped", { id: "b", from: 0, dst: 2, reason: "request dropped" }),
  h(150, "MsgLost", "S2 -> S1 RequestVote lost: reply dropped", { id: "c", from: 2, dst: 1, reason: "reply dropped" }),
  // Lost because the server is down: the network's doing, not a scheduled drop.
  h(160, "MsgLost", "S1 -> S2 AppendEntries lost: server down", { id: "d", from: 1, dst: 2, reason: "server down" }),
  h(200, "Crash", "crash S2", { peer: 2 }),
  h(300, "Crash", "crash S1", { peer: 1 }),
  h(400, "Disconnect", "disconnect S0", { peer: 0 }),
  h(500, "TestEnd", `${TEST} FAILED`, { test: TEST, ok: false }),
].join("\n");

const SCHEDULE = {
  format: "raftlab-schedule",
  version: 1,
  test: TEST,
  seed: 7,
  servers: 5,
  script: [
    { op: "unreliable", k: 0, peer: -1, t: 0, fault: true },
    { op: "crash", k: 0, peer: 2, t: 200, fault: true },
    // Crashing S1 at 300 is in the script but left out: had the run made it, it was not the schedule's.
    { op: "crash", k: 1, peer: 1, t: 300, fault: true, skip: true },
    { op: "disconnect", k: 0, peer: 0, t: 400, fault: true },
  ],
  net: [
    { from: 0, to: 1, n: 3, method: "AppendEntries", t: 100, d: 20, q: true },
    { from: 0, to: 2, n: 4, method: "AppendEntries", t: 125, d: 1 },
    { from: 2, to: 1, n: 0, method: "RequestVote", t: 150, r: true },
  ],
  tester: {},
  peers: [],
  math: {},
};

function overlaid(): LogStore {
  const store = new LogStore({ initialCapacity: 16 });
  const ingest = new Ingest(store, {}, ScheduleOverlay.from(SCHEDULE, "s.json"));
  ingest.pushText(`${TRACE}\n`);
  ingest.end();
  return store;
}

function printed(store: LogStore): string[] {
  let out = "";
  printRows(store, { filter: {}, width: 160, style: makeStyle(false), layout: "list", write: (s) => ((out += s), true) });
  return out.split("\n").filter((l) => l !== "");
}

describe("the schedule overlay", () => {
  it("flags exactly the rows whose fault the schedule injected", () => {
    const store = overlaid();
    const marked = Array.from({ length: store.length }, (_, i) => i).filter((i) => ((store.flags[i] as number) & F.Scheduled) !== 0);
    // NetUnreliable, the dropped request, the dropped reply, crash S2, disconnect S0.
    expect(marked).toEqual([1, 2, 4, 6, 8]);
  });

  it("a marked row says what it is: a scheduled drop, or from the schedule, with a '*' before its term", () => {
    const lines = printed(overlaid());
    const row = (needle: string): string => lines.find((l) => l.includes(needle)) ?? "";
    expect(row("S0 -> S1 AppendEntries lost")).toMatch(/^ +120\.0\* .*── MsgLost S1 {2}\[scheduled drop\] {2}S0 -> S1 AppendEntries lost: request dropped$/);
    expect(row("S2 -> S1 RequestVote lost")).toContain("[scheduled drop]");
    expect(row("crash S2")).toMatch(/^ +200\.0\* .*── Crash S2 {2}\[from the schedule\] {2}crash S2$/);
    expect(row("disconnect S0")).toContain("[from the schedule]");
    for (const plain of ["S0 -> S2 AppendEntries lost", "server down", "crash S1"]) {
      expect(row(plain), plain).not.toMatch(/\*|\[scheduled drop\]|\[from the schedule\]/);
    }
  });

  it("the detail pane names the fault as the schedule lists it", () => {
    const store = overlaid();
    expect(detailLines(store, 2, 200).join("\n")).toContain("schedule: t=0.120s drop S0→S1 AppendEntries #3");
    expect(detailLines(store, 6, 200).join("\n")).toContain("schedule: t=0.200s crash S2 (script step crash #0)");
    expect(detailLines(store, 3, 200).join("\n")).not.toContain("schedule:");
  });

  it("rows of another test are not marked, nor is anything without an overlay", () => {
    const other = new LogStore({ initialCapacity: 16 });
    const ingest = new Ingest(other, {}, ScheduleOverlay.from({ ...SCHEDULE, test: "TestFigure83C" }, "s.json"));
    ingest.pushText(`${TRACE}\n`);
    ingest.end();
    const plain = new LogStore({ initialCapacity: 16 });
    new Ingest(plain).pushText(`${TRACE}\n`).end();
    for (const s of [other, plain]) expect(Array.from(s.flags.subarray(0, s.length)).some((f) => (f & F.Scheduled) !== 0)).toBe(false);
  });
});

describe("logviz --schedule", () => {
  beforeAll(() => ensureBuilt(), 120_000);
  const run = (...args: string[]): { code: number; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 20_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const dir = mkdtempSync(join(tmpdir(), "logviz-schedule-"));
  const trace = join(dir, `${TEST}-7.shrunk.jsonl`);
  const plainTrace = join(dir, `${TEST}-7.jsonl`);
  writeFileSync(trace, `${TRACE}\n`);
  writeFileSync(plainTrace, `${TRACE}\n`);
  writeFileSync(join(dir, `${TEST}-7.schedule.json`), JSON.stringify(SCHEDULE));

  it("a batch's shrunk trace picks up the schedule beside it; --no-schedule turns that off; the seed run's trace does not", () => {
    expect(run(trace, "--print", "--layout", "list").stdout).toContain("── Crash S2  [from the schedule]  crash S2");
    expect(run(trace, "--print", "--layout", "list", "--no-schedule").stdout).not.toContain("[from the schedule]");
    expect(run(plainTrace, "--print", "--layout", "list").stdout).not.toContain("[from the schedule]");
    expect(run(plainTrace, "--print", "--layout", "list", "--schedule", join(dir, `${TEST}-7.schedule.json`)).stdout).toContain("[scheduled drop]");
  });

  it("a schedule that cannot be used is one line and exit 2", () => {
    const bad = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    for (const file of [
      join(dir, "missing.json"),
      bad("trunc.json", JSON.stringify(SCHEDULE).slice(0, 40)),
      bad("v9.json", JSON.stringify({ ...SCHEDULE, version: 9 })),
      bad("other.json", '{"format":"x"}'),
    ]) {
      const r = run(plainTrace, "--print", "--schedule", file);
      expect(r.code, file).toBe(2);
      expect(r.stderr, file).toMatch(/^logviz: --schedule: [^\n]+\n$/);
    }
  });
});
