// Issue 9, "Term filter", on a real unreliable run: a harness event about a message (the tester's
// MsgLost) must sit in the term the message carried, so a `--term 5..7` window of Figure 8
// (unreliable) shows the exchanges of terms 5..7 and none of the thousands of losses from other terms.
import { formatTraceEvent, type TraceEvent } from "@raftlab/raft/trace";
import { runTest } from "@raftlab/tester";
import { beforeAll, describe, expect, it } from "vitest";
import { computeVisible, parseTermRange } from "../src/filter.js";
import { printRows } from "../src/print.js";
import type { LogStore } from "../src/store.js";
import { makeStyle } from "../src/style.js";
import { storeOf } from "./helpers.js";

let store: LogStore;
let events: TraceEvent[] = [];
/** For each row: the term of the message it is about (the last `send` of its id so far), or -1. */
let carried: number[] = [];

beforeAll(async () => {
  events = [];
  // The same run as `raftlab run Figure8Unreliable3C --seed 3 --trace`.
  const r = await runTest("TestFigure8Unreliable3C", { seed: 3, trace: (e) => events.push(e) });
  expect(r.ok).toBe(true);
  store = storeOf(events.map(formatTraceEvent).join("\n") + "\n");
  // Computed from the events themselves, independently of logviz's parser.
  const sent = new Map<string, number>();
  carried = events.map((e) => {
    if (e.id === undefined) return -1;
    if (e.dir === "send" && Number.isInteger(e.mterm)) sent.set(e.id, e.mterm as number);
    return sent.get(e.id) ?? -1;
  });
}, 120_000);

describe("term filter on a real unreliable trace (TestFigure8Unreliable3C, seed 3)", () => {
  const LO = 5;
  const HI = 7;

  it("every MsgLost gets the term its message carried", () => {
    expect(store.length).toBe(events.length);
    let lost = 0;
    let outside = 0;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.op !== "MsgLost") continue;
      lost++;
      expect(carried[i]).toBeGreaterThanOrEqual(0); // a loss always follows its send
      expect(store.term[i]).toBe(carried[i]);
      if (carried[i]! < LO || carried[i]! > HI) outside++;
    }
    // The run is unreliable enough that the window has losses to keep and many more to hide.
    expect(lost).toBeGreaterThan(1000);
    expect(outside).toBeGreaterThan(lost / 2);
  });

  it(`--term ${LO}..${HI}: no row carries another term's message, and the window's own losses stay`, () => {
    const v = computeVisible(store, { term: parseTermRange(`${LO}..${HI}`) });
    let lostShown = 0;
    let lostInWindow = 0;
    for (let i = 0; i < events.length; i++) {
      if (events[i]!.op === "MsgLost" && carried[i]! >= LO && carried[i]! <= HI) lostInWindow++;
    }
    for (let k = 0; k < v.length; k++) {
      const r = v.at(k);
      const e = events[r]!;
      if (e.src === -1) {
        // Harness rows: a message event shows only with its message's term; others (connects,
        // test begin/end) have no term and stay.
        if (e.id !== undefined) expect(carried[r], `row ${r}: ${e.op} ${e.id}`).toBeGreaterThanOrEqual(LO);
        if (e.id !== undefined) expect(carried[r], `row ${r}: ${e.op} ${e.id}`).toBeLessThanOrEqual(HI);
        if (e.op === "MsgLost") lostShown++;
      } else {
        // Peer rows are in their peer's term; a message a peer sends carries that term.
        expect(e.term).toBeGreaterThanOrEqual(LO);
        expect(e.term).toBeLessThanOrEqual(HI);
        if (e.dir === "send") expect(e.mterm).toBe(e.term);
      }
    }
    expect(lostShown).toBe(lostInWindow);
    expect(lostShown).toBeGreaterThan(0);
  });

  it(`print mode with --term ${LO}..${HI}: every loss row names a term inside the window`, () => {
    let out = "";
    printRows(store, { filter: { term: parseTermRange(`${LO}..${HI}`) }, width: 200, style: makeStyle(false), write: (s) => ((out += s), true) });
    const lossRows = out.split("\n").filter((l) => l.includes("MsgLost"));
    const inWindow = events.filter((e, i) => e.op === "MsgLost" && carried[i]! >= LO && carried[i]! <= HI).length;
    expect(lossRows.length).toBe(inWindow);
    for (const l of lossRows) {
      const m = / T(\d+) /.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(LO);
      expect(Number(m![1])).toBeLessThanOrEqual(HI);
    }
  });
});
