// The row model under issues 9 and 10: per-test columns, full time precision, terms of any size, the
// term of lost messages, inference rules one by one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeVisible, parseTermRange } from "../src/filter.js";
import { formatTime } from "../src/layout.js";
import { detailLines, exchangeOf } from "../src/detail.js";
import { printRows } from "../src/print.js";
import { makeStyle } from "../src/style.js";
import { readMarks, PeerTracker, type Marks } from "../src/infer.js";
import { RoleId } from "../src/store.js";
import { ev, storeOf } from "./helpers.js";

function printed(text: string, width = 120): string[] {
  const s = storeOf(text);
  let out = "";
  printRows(s, { filter: {}, width, style: makeStyle(false), write: (c) => ((out += c), true), layout: "columns" });
  return out.split("\n");
}

describe("columns per test", () => {
  it("a 3-peer test after a 5-peer test draws 3 columns, with its own header", () => {
    const log = [
      "Test (3B): five peers ...",
      ...[0, 1, 2, 3, 4].map((p) => `00001${p} INFO S${p} Follower@T0: up`),
      "  ... Passed --   1.0  5   10    0",
      "Test (3A): three peers ...",
      ...[0, 1, 2].map((p) => `00002${p} INFO S${p} Follower@T0: up`),
      "  ... Passed --   1.0  3   10    0",
    ].join("\n");
    const lines = printed(log);
    const headers = lines.filter((l) => l.includes("term topc"));
    expect(headers).toHaveLength(2);
    expect((headers[0]?.match(/│S\d/g) ?? []).length).toBe(5);
    expect((headers[1]?.match(/│S\d/g) ?? []).length).toBe(3);
    // The 3-peer test's rows are drawn under the second header.
    const second = lines.indexOf(headers[1] as string);
    expect(lines.slice(second).some((l) => l.includes("up"))).toBe(true);
  });
});

describe("time precision", () => {
  it("keeps 0.1 ms for 7-digit dslogs times and writes the detail pane's time once, in ms", () => {
    expect(formatTime(121543.2)).toBe("121543.2");
    expect(formatTime(999999.9)).toBe("999999.9");
    expect(formatTime(1234567.8)).toBe("1234.57s");
    const s = storeOf("1215432 TIMR S1 Follower@T3: election timeout");
    expect(s.t[0]).toBe(121543.2);
    const d = detailLines(s, 0, 100).join("\n");
    expect(d).toContain("t=121543.2ms");
    expect(d).not.toMatch(/sms/);
  });
});

describe("terms of any size (issue 10)", () => {
  it("stores and shows 2^31 and 2^53 as they are", () => {
    const s = storeOf(
      [
        ev({ t: 1, src: 0, op: "Log", term: 2 ** 31, msg: "a" }),
        ev({ t: 2, src: 0, op: "Log", term: 2 ** 53, msg: "b" }),
        "000030 INFO S1 Leader@T4294967296: big",
      ].join("\n"),
    );
    expect(s.term[0]).toBe(2 ** 31);
    expect(s.term[1]).toBe(2 ** 53);
    expect(s.term[2]).toBe(2 ** 32);
    expect(detailLines(s, 0, 200).join(" ")).toContain(`term=${2 ** 31}`);
    expect(detailLines(s, 2, 200).join(" ")).toContain(`term=${2 ** 32}`);
    const range = parseTermRange(`${2 ** 31}..${2 ** 32}`);
    const v = computeVisible(s, { term: range });
    expect([...v.rows.subarray(0, v.length)]).toEqual([0, 2]);
  });
});

describe("term filter and lost messages", () => {
  it("a MsgLost without mterm counts in the term its message was sent in", () => {
    const s = storeOf(
      [
        ev({ t: 0, src: -1, op: "TestBegin", test: "T" }),
        ev({ t: 1, src: 1, op: "AppendEntries", term: 2, state: "leader", dst: 0, from: 1, id: "1.1.1", dir: "send", mterm: 2 }),
        ev({ t: 50, src: 1, op: "BecomeFollower", term: 6 }),
        ev({ t: 51, src: -1, op: "MsgLost", id: "1.1.1", from: 1, dst: 0, reason: "reply dropped" } as never),
        ev({ t: 52, src: -1, op: "MsgLost", id: "9.9.9", from: 1, dst: 0, reason: "unknown id" } as never),
      ].join("\n"),
    );
    expect(s.term[3]).toBe(2);
    const v = computeVisible(s, { term: parseTermRange("5..7") });
    const rows = [...v.rows.subarray(0, v.length)];
    expect(rows).not.toContain(3); // the term-2 loss is not in a 5..7 view
    expect(rows).toContain(2);
    expect(rows).toContain(4); // unknown message: no term, stays
  });
});

describe("inference rules (README: dslogs text: roles and terms)", () => {
  const marks = (rest: string): Marks => readMarks(rest, {}, { term: -1, role: RoleId.None, boot: false, explicit: false });

  it("rule: only the peer's own Role@T right after S<n> sets its role and term", () => {
    expect(marks("Follower@T1: reset election timer after vote for S1 Candidate@T1")).toMatchObject({ term: 1, role: RoleId.Follower });
    expect(marks("got vote from S1 Leader@T7")).toMatchObject({ term: -1, role: RoleId.None });
  });

  it("rule: a previous-log-term mention PL(I0, T0) or a comparison is not the peer's term", () => {
    expect(marks("-> S2 heartbeat, PL(I0, T0), 0").term).toBe(-1);
    expect(marks("rejected vote, S2 (T1 < T3)").term).toBe(-1);
    expect(marks("lastLogTerm 4, prevLogTerm=3, args.Term 9").term).toBe(-1);
  });

  it("rule: (T<n>), term <n>, become … T<n>, at/for T<n> are the peer's own term", () => {
    expect(marks("become Candidate, start election (T3)")).toMatchObject({ term: 3, role: RoleId.Candidate });
    expect(marks("currentTerm: 5, votedFor 2").term).toBe(5);
    expect(marks("become Leader at T4, len(log) = 0")).toMatchObject({ term: 4, role: RoleId.Leader });
    expect(marks("Achieved Majority for T1 (2), converting to Leader")).toMatchObject({ term: 1, role: RoleId.Leader });
  });

  it("rule: a row without a marker inherits; a term never decreases within a boot; a restart resets", () => {
    const t = new PeerTracker();
    const out = { term: -1, role: RoleId.None as RoleId, instance: 0, stale: false };
    t.observe(1, "become Leader at T4", out);
    expect(out).toMatchObject({ term: 4, role: RoleId.Leader });
    t.observe(1, "-> S2 heartbeat, PL(I3, T2), 0", out);
    expect(out).toMatchObject({ term: 4, role: RoleId.Leader });
    t.observe(1, "got stale reply for T2", out);
    expect(out.term).toBe(4);
    t.observe(1, "restored persistent state: term 3", out); // a new boot may restore anything
    expect(out).toMatchObject({ term: 3, role: RoleId.Follower });
    t.reset();
    t.observe(1, "hello", out);
    expect(out).toMatchObject({ term: -1, role: RoleId.Follower });
  });

  it("rule: a leader whose term rises with no role marker is no longer leader", () => {
    const t = new PeerTracker();
    const out = { term: -1, role: RoleId.None as RoleId, instance: 0, stale: false };
    t.observe(0, "Leader@T2: up", out);
    t.observe(0, "term 5 seen in a reply", out);
    expect(out).toMatchObject({ term: 5, role: RoleId.Follower });
  });

  it("a user's --term-re / --role-re replace the defaults", () => {
    const t = new PeerTracker({ termRe: /\bcur=(\d+)/, roleRe: /^<(?<role>\w+)>/ });
    const out = { term: -1, role: RoleId.None as RoleId, instance: 0, stale: false };
    t.observe(3, "<cand> cur=7 (T2) asking S1", out);
    expect(out).toMatchObject({ term: 7, role: RoleId.Candidate });
  });
});

describe("message pairing in dslogs text (m)", () => {
  const corpus = (name: string): string => readFileSync(join(import.meta.dirname, "corpus", `${name}.log`), "utf8");

  it("pairs a S<a> -> S<b> request with the reply and its receipt, by order, from any of its lines", () => {
    const s = storeOf(corpus("explicit"));
    // line 8: S2 -> S0 RequestVote; line 11: S0 -> S2 vote granted; line 14: S2 <- S0 got vote.
    for (const row of [7, 10, 13]) {
      const ex = exchangeOf(s, row);
      expect(ex?.rows, `row ${row}`).toEqual([7, 10, 13]);
      expect(ex?.why).toBeUndefined();
    }
    expect(detailLines(s, 7, 120).join("\n")).toContain("paired by order");
  });

  it("says why when it cannot pair: no reply printed, or not a message line", () => {
    const s = storeOf(corpus("arrow"));
    const hb = exchangeOf(s, 12); // line 13: S1 -> S0 heartbeat, PL(I0, T0), 0
    expect(hb?.rows).toEqual([12]);
    expect(hb?.why).toMatch(/^no reply line: nothing from S0 back to S1 with topic LEAD/);
    expect(exchangeOf(s, 14)?.why).toMatch(/^not a message line/); // line 15: S0 commit index 0
    expect(detailLines(s, 12, 160).join("\n")).toContain("no reply line");
  });
});
