// Print mode's output, pinned byte for byte: the sha256 of everything `logviz --print` writes for the
// dslogs corpus (test/corpus/*.log), a generated dslogs log and a generated JSON-lines trace, in every
// layout (columns wrapped and cut, list), with and without colour, at two widths. Recorded from the code
// before the print-mode speed work of issue 19 point 5: an optimisation must leave every one identical.
// The input is fed in small chunks through the same Ingest + StreamPrinter as the CLI, so headers
// repeated across chunks are covered too.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ingest } from "../src/ingest.js";
import { StreamPrinter, type PrintLayout } from "../src/print.js";
import { LogStore } from "../src/store.js";
import { makeStyle } from "../src/style.js";
import { synthDslogsText } from "../src/synth-dslogs.js";
import { synthTraceText } from "../src/synth.js";

const DIR = join(import.meta.dirname, "corpus");

export function inputs(): [string, string][] {
  const corpus = readdirSync(DIR)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f): [string, string] => [f, readFileSync(join(DIR, f), "utf8")]);
  return [
    ...corpus,
    ["synth-dslogs", synthDslogsText({ lines: 3000, seed: 7 })],
    ["synth-dslogs-3-styles", synthDslogsText({ lines: 3000, seed: 9, styles: ["explicit", "arrow", "plain"] })],
    ["synth-trace", synthTraceText({ lines: 2000, peers: 5, seed: 3, testLength: 700 })],
  ];
}

const VARIANTS: { layout: PrintLayout; wrap: boolean }[] = [
  { layout: "columns", wrap: true },
  { layout: "columns", wrap: false },
  { layout: "list", wrap: true },
];

/** What print mode writes for `text`, fed in chunks of `chunk` bytes. */
export function printed(text: string, o: { layout: PrintLayout; wrap: boolean; color: boolean; width: number; chunk: number }): string {
  const store = new LogStore({ maxRows: 1 << 30 });
  const ingest = new Ingest(store);
  let out = "";
  const printer = new StreamPrinter(store, {
    filter: {},
    width: o.width,
    style: makeStyle(o.color),
    write: (s) => ((out += s), true),
    layout: o.layout,
    wrap: o.wrap,
  });
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += o.chunk) {
    ingest.push(bytes.subarray(i, i + o.chunk));
    printer.flush();
  }
  ingest.end();
  printer.flush();
  return out;
}

/** One digest per input: every variant, colour and width, concatenated in a fixed order. */
export function digestOf(text: string): string {
  const h = createHash("sha256");
  for (const v of VARIANTS)
    for (const color of [false, true]) for (const width of [100, 200]) h.update(printed(text, { ...v, color, width, chunk: 4096 }) + "\u0000");
  return h.digest("hex");
}

const PINNED: Record<string, string> = {
  "arrow.log": "bd679d8fc2486e5acd592ba99606af12e9e6c35cfce76435dbe8876bcbd66d66",
  "explicit.log": "71f41a039562bfac6540199c3130658efb24ad6d05a003d2f0c3df9bafcd7f21",
  "mixed.log": "60bd4303961f8283bbe7d95991a334a3fe0bc7b53617383cd37d716e7d771000",
  "plain.log": "d0872e04ff9ee3dc064ae1410da6d41a24ca4ba29e167f1e15964ddc166a50bf",
  "stale.log": "07f41a6a78a5f04bfef2db31923d74e26c020f34c204546d1c53e98bc7012697",
  "synth-dslogs": "c0a3c5a9927d8cd4d7c39369f160a9a39d9c946743b4155fdff8000d61c05386",
  "synth-dslogs-3-styles": "06badaa7c0714d40acce546e003113625a0bcf9c3963a560d61cbaccd513b3ef",
  "synth-trace": "7287cfa1ebfda337f1974f486983d7cabd028f404c369f6ac3fb7fbe615b3e9a",
};

describe("print mode output is pinned", () => {
  for (const [name, text] of inputs()) {
    it(`${name}: byte-identical to the recorded output`, () => {
      expect(digestOf(text)).toBe(PINNED[name]);
    });
  }
});
