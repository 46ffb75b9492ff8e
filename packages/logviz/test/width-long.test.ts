// Issue 19 point 5a: a long line costs linear time. V8's Intl.Segmenter is quadratic in the length of
// the string it segments (string-width segments its whole input too), so one 65,600-character line with
// a `…` took 23 s in print mode. The width functions now never hand the segmenter a long string.
import { afterEach, describe, expect, it, vi } from "vitest";
import { displayWidth, fitWidth, padWidth, wrapWidth } from "@raftlab/raft/terminal";
import { printRows } from "../src/print.js";
import { makeStyle } from "../src/style.js";
import { storeOf } from "./helpers.js";

const LONG = 200_000;

function longLine(): string {
  let s = "";
  for (let i = 0; s.length < LONG; i++) s += i % 50 === 0 ? "é…漢 " : "word ";
  return s;
}

/** Records the length of every string handed to Intl.Segmenter (ours and string-width's). */
function spySegmenter(): number[] {
  const lengths: number[] = [];
  const orig = Intl.Segmenter.prototype.segment;
  vi.spyOn(Intl.Segmenter.prototype, "segment").mockImplementation(function (this: Intl.Segmenter, input: string) {
    lengths.push(input.length);
    return orig.call(this, input);
  });
  return lengths;
}

afterEach(() => vi.restoreAllMocks());

describe("long lines with wide characters", () => {
  it("are measured, cut and wrapped without segmenting the whole line", () => {
    const s = longLine();
    const lengths = spySegmenter();
    const w = displayWidth(s);
    expect(w).toBeGreaterThan(s.length); // 漢 takes two cells
    const cut = fitWidth(s, 150);
    expect(displayWidth(cut)).toBe(150);
    expect(cut.endsWith("…")).toBe(true);
    expect(displayWidth(padWidth(s, 99))).toBe(99);
    const pieces = wrapWidth(s, 120);
    expect(pieces.join("")).toBe(s);
    expect(pieces.every((p) => displayWidth(p) <= 120)).toBe(true);
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1024);
  }, 120_000);

  it("a 5,000-character line reaches the segmenter only in pieces (the old code segmented it whole)", () => {
    const s = longLine().slice(0, 5000);
    const lengths = spySegmenter();
    fitWidth(s, 100);
    wrapWidth(s, 100);
    displayWidth(s);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1024);
  });

  it("keep clusters whole at window edges (combining marks, emoji with modifiers)", () => {
    const cluster = "e\u0301";
    const s = "x".repeat(10) + cluster.repeat(400) + "👍🏽".repeat(300) + "y";
    const pieces = wrapWidth(s, 37);
    expect(pieces.join("")).toBe(s);
    for (const p of pieces) expect(p.startsWith("\u0301") || p.startsWith("\udffd")).toBe(false);
    expect(displayWidth(s)).toBe(10 + 400 + 600 + 1);
  });

  it("a 200,000-character line prints in both layouts (it is cut at 64 Ki characters with a marker)", () => {
    const store = storeOf(`000123 LOG1 S1 Leader@T1 -> S0 ${longLine()}\n`);
    for (const layout of ["columns", "list"] as const) {
      for (const wrap of [true, false]) {
        let out = "";
        printRows(store, { filter: {}, width: 160, style: makeStyle(false), layout, wrap, write: (c) => ((out += c), true) });
        expect(out.length, `${layout} wrap=${wrap}`).toBeGreaterThan(100);
      }
    }
  }, 120_000);
});
