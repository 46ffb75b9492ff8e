import { describe, expect, it } from "vitest";
import {
  computeVisible,
  describeFilter,
  extendVisible,
  FilterError,
  parsePeerList,
  parseRoles,
  parseShowHide,
  parseTermRange,
  type Filter,
} from "../src/filter.js";
import { Ingest } from "../src/ingest.js";
import { LogStore } from "../src/store.js";
import { SMALL_TRACE, storeOf } from "./helpers.js";

const rows = (f: Filter): number[] => {
  const s = storeOf(SMALL_TRACE);
  const v = computeVisible(s, f);
  return Array.from(v.rows.subarray(0, v.length));
};

describe("filter parsing", () => {
  it("parses single terms and ranges, rejects the rest", () => {
    expect(parseTermRange("3")).toEqual({ lo: 3, hi: 3 });
    expect(parseTermRange("3..5")).toEqual({ lo: 3, hi: 5 });
    expect(parseTermRange("3-5")).toEqual({ lo: 3, hi: 5 });
    expect(parseTermRange("..5")).toEqual({ lo: 0, hi: 5 });
    expect(parseTermRange("4..").lo).toBe(4);
    for (const bad of ["", "x", "5..3", "3...5", "-1", "1.5"]) expect(() => parseTermRange(bad)).toThrow(FilterError);
  });
  it("parses peers, roles and +/- lists", () => {
    expect(parsePeerList("0, S2,10")).toEqual([0, 2, 10]);
    expect(() => parsePeerList("zero")).toThrow(FilterError);
    expect(parseRoles("lead,cand")).toEqual(["leader", "candidate"]);
    expect(() => parseRoles("king")).toThrow(FilterError);
    expect(parseShowHide("+VOTE,LEAD -TIMR", "topic")).toEqual({ show: ["VOTE", "LEAD"], hide: ["TIMR"] });
    expect(() => parseShowHide("VO;TE", "topic")).toThrow(FilterError);
  });
});

describe("visible rows", () => {
  it("shows everything with no filter", () => {
    expect(rows({})).toHaveLength(15);
  });
  it("term: hides rows with a known term outside the range, keeps harness rows without one", () => {
    // Row 1 is term 0, rows 11-12 are S2 in terms 1 and 2; the lost message (row 9) carried term 1.
    expect(rows({ term: { lo: 2, hi: 2 } })).toEqual([0, 10, 12, 13, 14]);
    expect(rows({ term: { lo: 1, hi: 1 } })).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]);
  });
  it("topics: --just and --ignore, with test boundaries and violations pinned", () => {
    expect(rows({ just: ["VOTE"] })).toEqual([0, 3, 4, 5, 6, 13, 14]);
    expect(rows({ ignore: ["VOTE", "TEST"] })).toEqual([0, 1, 2, 7, 8, 11, 12, 13, 14]);
  });
  it("peers: hides a peer's rows and harness events about it", () => {
    expect(rows({ hidePeers: [2] })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 14]);
    expect(rows({ peers: [1] })).toEqual([0, 4, 5, 13, 14]);
  });
  it("role and op", () => {
    expect(rows({ roles: ["leader"] })).toEqual([0, 7, 8, 9, 10, 13, 14]);
    expect(rows({ ops: ["RequestVote"] })).toEqual([0, 3, 4, 13, 14]);
    expect(rows({ hideOps: ["MsgLost", "Crash"] })).not.toContain(9);
  });
  it("test: only rows of matching tests", () => {
    const s = storeOf(SMALL_TRACE + SMALL_TRACE.replace(/SmallElection3A/g, "Other3B"));
    const v = computeVisible(s, { test: "Other" });
    expect(v.length).toBe(15);
    expect(v.at(0)).toBe(15);
  });
  it("is extended incrementally as a live stream grows, with the same result as from scratch", () => {
    const store = new LogStore({ initialCapacity: 4 });
    const ing = new Ingest(store);
    const f: Filter = { just: ["VOTE"], term: { lo: 1, hi: 1 } };
    const v = computeVisible(store, f);
    const lines = SMALL_TRACE.split("\n");
    for (const l of lines) {
      ing.pushText(l + "\n");
      extendVisible(store, f, v);
    }
    const scratch = computeVisible(store, f);
    expect(Array.from(v.rows.subarray(0, v.length))).toEqual(Array.from(scratch.rows.subarray(0, scratch.length)));
  });
  it("describes filters for the status line", () => {
    expect(describeFilter({ term: { lo: 3, hi: 5 }, just: ["VOTE"], hidePeers: [1] })).toBe("term 3..5  just VOTE  hide S1");
  });
});
