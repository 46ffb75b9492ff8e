import { describe, expect, it } from "vitest";
import { printRows } from "../src/print.js";
import { makeStyle } from "../src/style.js";
import { synthTraceText } from "../src/synth.js";
import { SMALL_TRACE, storeOf } from "./helpers.js";

function print(text: string, opts: { width?: number; color?: boolean; filter?: object } = {}): string {
  const store = storeOf(text);
  let out = "";
  printRows(store, { filter: opts.filter ?? {}, width: opts.width ?? 100, style: makeStyle(opts.color ?? false), write: (s) => ((out += s), true) });
  return out;
}

describe("print mode", () => {
  it("writes a header and one line per row, each peer's text in its own column", () => {
    const out = print(SMALL_TRACE, { width: 100 });
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(16);
    expect(lines[0]).toMatch(/^\s+ms term topc │S0\s+│S1\s+│S2$/);
    const col = (line: string, text: string): number => line.indexOf(text);
    const header = lines[0] ?? "";
    // S1's receipt sits under S1's header, S0's send under S0's; the redundant "S<peer> " prefix is dropped.
    expect(col(lines[5] ?? "", "│<- S0 RequestVote")).toBe(col(header, "S1") - 1);
    expect(col(lines[4] ?? "", "│C -> S1 RequestVote")).toBe(col(header, "S0") - 1);
    expect(lines[1]).toContain("── TestBegin  Test Small begins");
    expect(lines[11]).toContain("── Crash S2  crash S2");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });

  it("has no escape codes without colour and keeps them with --color", () => {
    expect(print(SMALL_TRACE)).not.toContain("\x1b");
    expect(print(SMALL_TRACE, { color: true })).toContain("\x1b[");
  });

  it("keeps the gutter's time and term in column mode", () => {
    const out = print(SMALL_TRACE);
    expect(out).toMatch(/\n\s+4\.5 T1 {3}VOTE │/);
  });

  it("applies filters", () => {
    const out = print(SMALL_TRACE, { filter: { term: { lo: 2, hi: 2 } } });
    expect(out).toContain("│C candidate T2");
    expect(out).not.toContain("RequestVote");
  });

  it("fits any width and any number of peers", () => {
    const many = print(synthTraceText({ lines: 400, peers: 12, seed: 3 }), { width: 80 });
    for (const l of many.split("\n")) expect(l.length).toBeLessThanOrEqual(80);
    // 12 peers do not fit in 80 columns: the header says how many are off to the right.
    expect(many.split("\n")[0]).toMatch(/\d+▶$/);
  });

  it("widens the topic field for custom topics longer than four letters, keeping columns aligned", () => {
    const out = print("000035 TIMR S0 Election timeout\n000090 HEART S1 custom topic\n", { width: 80 });
    const lines = out.trimEnd().split("\n");
    expect(lines[2]).toMatch(/ HEART │/);
    expect(lines[0]!.indexOf("│S1")).toBe(lines[2]!.lastIndexOf("│"));
    const plain = print("000035 TIMR S0 x\n", { width: 80 });
    expect(plain.split("\n")[0]).toMatch(/ms term topc │S0/); // 4 letters: no extra space
  });
});
