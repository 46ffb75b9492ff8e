// logviz on a real trace: the tester runs a lab test on its simulator with our Raft, and the trace it
// emits (the contract of packages/raft/src/trace.ts) must come out as columns, tests, terms, roles and
// paired messages.
import { formatTraceEvent, type TraceEvent } from "@raftlab/raft/trace";
import { runTest } from "@raftlab/tester";
import { beforeAll, describe, expect, it } from "vitest";
import { computeVisible } from "../src/filter.js";
import { detailLines } from "../src/detail.js";
import { printRows } from "../src/print.js";
import { F, Kind, RoleId, type LogStore } from "../src/store.js";
import { makeStyle } from "../src/style.js";
import { storeOf } from "./helpers.js";

let store: LogStore;
let events: TraceEvent[] = [];

beforeAll(async () => {
  events = [];
  const r = await runTest("TestReElection3A", { seed: 3, trace: (e) => events.push(e) });
  expect(r.ok).toBe(true);
  store = storeOf(events.map(formatTraceEvent).join("\n") + "\n");
});

describe("a real trace from the tester (TestReElection3A, seed 3)", () => {
  it("parses every event as a trace event, one test, three peers", () => {
    expect(store.length).toBe(events.length);
    for (let i = 0; i < store.length; i++) expect(store.kind[i]).toBe(Kind.Json);
    expect(store.tests).toEqual(["", "TestReElection3A"]);
    expect(store.peers).toEqual([0, 1, 2]);
  });

  it("sees leaders, several terms and the harness's disconnects", () => {
    const roles = new Set(Array.from(store.role.subarray(0, store.length)));
    expect(roles.has(RoleId.Leader)).toBe(true);
    const newTerms = [...Array(store.length).keys()].filter((i) => store.flags[i]! & F.NewTerm);
    expect(newTerms.length).toBeGreaterThanOrEqual(2); // the test forces re-elections
    const ops = new Set([...Array(store.length).keys()].map((i) => store.ops.name(store.op[i]!)));
    expect(ops).toContain("Disconnect");
    expect(ops).toContain("BecomeLeader");
  });

  it("pairs a request's send, receipt, reply and reply receipt by id", () => {
    const i = events.findIndex(
      (e) => e.op === "AppendEntries" && e.dir === "send" && events.some((f) => f.id === e.id && f.op === "AppendEntriesReply" && f.dir === "recv"),
    );
    expect(i).toBeGreaterThanOrEqual(0);
    const lines = detailLines(store, i, 160).join("\n");
    expect(lines).toMatch(/message \S+: 4 events/);
    expect(lines).toMatch(/AppendEntries recv/);
    expect(lines).toMatch(/AppendEntriesReply send/);
    expect(lines).toMatch(/AppendEntriesReply recv/);
  });

  it("filters by term and prints columns", () => {
    const v = computeVisible(store, { term: { lo: 2, hi: 2 }, just: ["VOTE", "LEAD"] });
    expect(v.length).toBeGreaterThan(0);
    for (let k = 0; k < v.length; k++) {
      const r = v.at(k);
      if (store.src[r]! >= 0) expect(store.term[r]).toBe(2);
    }
    let out = "";
    printRows(store, { filter: { term: { lo: 2, hi: 2 } }, width: 120, style: makeStyle(false), write: (s) => ((out += s), true) });
    expect(out.split("\n")[0]).toMatch(/│S0 .*│S1 .*│S2/);
    expect(out).toContain("── TestBegin");
  });
});
