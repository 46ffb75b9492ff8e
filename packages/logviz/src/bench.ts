// logviz benchmark: a generated 1,000,000-line trace, measured against the floor of simply reading
// and splitting the same file. Run: node packages/logviz/dist/bench.js [--lines N] [--json FILE]
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Ingest, openFileSource } from "./ingest.js";
import { printRows } from "./print.js";
import { LogStore } from "./store.js";
import { makeStyle, type Style } from "./style.js";
import { synthTrace } from "./synth.js";
import { Viewer } from "./viewer.js";
import type { Filter } from "./filter.js";

export interface BenchResult {
  lines: number;
  fileBytes: number;
  /** Floor: readFileSync + split("\n"). */
  floorReadSplitMs: number;
  /** Parse and index the whole file through the app's own reader. */
  parseMs: number;
  parseLinesPerSec: number;
  floorLinesPerSec: number;
  /** From opening the file to the first 160x40 frame being ready. */
  firstScreenMs: number;
  /** Filter changes on the full store (recompute visible rows + draw a frame), median ms. */
  filterMs: Record<string, number>;
  /** Retained heap + array buffers per line after loading. */
  bytesPerLine: number;
  /** Print mode over the whole store, lines per second, and the floor of writing the raw lines. */
  printLinesPerSec: number;
  floorPrintLinesPerSec: number;
  /** Starting node and loading the viewer (ink, react, the app) in a fresh process: the part of the
   * interactive first screen that firstScreenMs does not include. */
  startupMs: number;
}

function gcFn(): (() => void) | null {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function writeTrace(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  let buf = "";
  for (const l of synthTrace({ lines, peers: 5, seed: 42, testLength: 50_000 })) {
    buf += l + "\n";
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", () => r()));
      buf = "";
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.on("close", () => r()));
}

function load(path: string, onFirst: (store: LogStore) => void): Promise<LogStore> {
  const store = new LogStore();
  const ingest = new Ingest(store);
  let first = true;
  return new Promise((resolve, reject) => {
    openFileSource(path, ingest, {
      follow: false,
      onData: () => {
        if (first && store.length > 0) {
          first = false;
          onFirst(store);
        }
      },
      onEnd: () => resolve(store),
      onError: (m) => reject(new Error(m)),
    });
  });
}

/** Floor: read and split, nothing else (the best of two). */
function floorReadSplit(path: string, lines: number): number {
  let floorReadSplitMs = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const n = readFileSync(path, "utf8").split("\n").length;
    floorReadSplitMs = Math.min(floorReadSplitMs, performance.now() - t0);
    if (n < lines) throw new Error("short file");
  }
  return floorReadSplitMs;
}

/** Each filter change on the full store (recompute the visible rows, draw a frame), median of five. */
function measureFilters(store: LogStore, style: Style, path: string): Record<string, number> {
  const viewer = new Viewer({ store, style, source: path, width: 160, height: 40 });
  viewer.frame();
  const filters: Record<string, Filter> = {
    "term 3..5": { term: { lo: 3, hi: 5 } },
    "just VOTE,LEAD": { just: ["VOTE", "LEAD"] },
    "hide peer 1": { hidePeers: [1] },
    "role leader + op AppendEntries": { roles: ["leader"], ops: ["AppendEntries"] },
    clear: {},
  };
  const filterMs: Record<string, number> = {};
  for (const [name, f] of Object.entries(filters)) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      viewer.setFilter({});
      const t = performance.now();
      viewer.setFilter(f);
      viewer.frame();
      times.push(performance.now() - t);
    }
    filterMs[name] = median(times);
  }
  return filterMs;
}

/** Print mode over the whole store, and the floor of writing the raw lines in 64 KB chunks. */
function measurePrint(store: LogStore, path: string): Pick<BenchResult, "printLinesPerSec" | "floorPrintLinesPerSec"> {
  let bytes = 0;
  const tp = performance.now();
  const printed = printRows(store, { filter: {}, width: 160, style: makeStyle(false), write: (s) => ((bytes += s.length), true) });
  const printMs = performance.now() - tp;
  const raw = readFileSync(path, "utf8").split("\n");
  const tf = performance.now();
  let fb = 0;
  let chunk = "";
  for (const l of raw) {
    chunk += l + "\n";
    if (chunk.length >= 65536) {
      fb += chunk.length;
      chunk = "";
    }
  }
  fb += chunk.length;
  const floorPrintMs = performance.now() - tf;
  if (bytes === 0 || fb === 0) throw new Error("nothing printed");
  return { printLinesPerSec: printed / (printMs / 1000), floorPrintLinesPerSec: raw.length / (floorPrintMs / 1000) };
}

/** A fresh node loading ink and the app, best of three (-1 if it never succeeded). */
function measureStartup(): number {
  const app = new URL("./app.js", import.meta.url).href;
  const ink = import.meta.resolve("ink");
  let startupMs = Infinity;
  for (let i = 0; i < 3; i++) {
    const ts = performance.now();
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(ink)}); await import(${JSON.stringify(app)});`], {
      stdio: "ignore",
    });
    if (r.status === 0) startupMs = Math.min(startupMs, performance.now() - ts);
  }
  return Number.isFinite(startupMs) ? startupMs : -1;
}

export async function runBench(opts: { lines?: number; log?: (s: string) => void } = {}): Promise<BenchResult> {
  const lines = opts.lines ?? 1_000_000;
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const gc = gcFn();
  const dir = mkdtempSync(join(tmpdir(), "logviz-bench-"));
  const path = join(dir, "trace.jsonl");
  try {
    log(`generating ${lines} lines…`);
    await writeTrace(path, lines);
    const fileBytes = statSync(path).size;
    const floorReadSplitMs = floorReadSplit(path, lines);

    gc?.();
    const heap0 = process.memoryUsage();
    log("parsing…");
    const t0 = performance.now();
    let firstScreenMs = NaN;
    const style = makeStyle(true);
    const store = await load(path, (s) => {
      const v = new Viewer({ store: s, style, source: path, width: 160, height: 40 });
      v.frame();
      firstScreenMs = performance.now() - t0;
    });
    const parseMs = performance.now() - t0;
    gc?.();
    const heap1 = process.memoryUsage();
    const bytesPerLine = (heap1.heapUsed + heap1.arrayBuffers - (heap0.heapUsed + heap0.arrayBuffers)) / store.length;

    log("filters…");
    const filterMs = measureFilters(store, style, path);
    log("print mode…");
    const printed = measurePrint(store, path);
    log("startup…");
    const startupMs = measureStartup();

    return {
      startupMs,
      lines: store.length,
      fileBytes,
      floorReadSplitMs,
      parseMs,
      parseLinesPerSec: store.length / (parseMs / 1000),
      floorLinesPerSec: store.length / (floorReadSplitMs / 1000),
      firstScreenMs,
      filterMs,
      bytesPerLine,
      ...printed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatBench(r: BenchResult): string {
  const k = (n: number): string => (n >= 1e6 ? (n / 1e6).toFixed(2) + "M" : (n / 1e3).toFixed(0) + "k");
  const rows: [string, string, string][] = [
    ["lines / file size", `${r.lines} / ${(r.fileBytes / 1e6).toFixed(0)} MB`, ""],
    [
      "parse + index",
      `${(r.parseMs / 1000).toFixed(2)} s (${k(r.parseLinesPerSec)} lines/s)`,
      `floor read+split ${(r.floorReadSplitMs / 1000).toFixed(2)} s (${k(r.floorLinesPerSec)} lines/s)`,
    ],
    ["first screen (160x40)", `${r.firstScreenMs.toFixed(0)} ms`, "before the rest of the file is parsed"],
    ["node + viewer startup", r.startupMs >= 0 ? `${r.startupMs.toFixed(0)} ms` : "not measured", "add to the first screen for the real binary"],
    ...Object.entries(r.filterMs).map(([n, ms]): [string, string, string] => [`filter: ${n}`, `${ms.toFixed(1)} ms`, "recompute visible rows + draw"]),
    ["memory", `${r.bytesPerLine.toFixed(0)} bytes/line`, `file is ${(r.fileBytes / r.lines).toFixed(0)} bytes/line`],
    ["print mode", `${k(r.printLinesPerSec)} lines/s`, `floor (write raw lines) ${k(r.floorPrintLinesPerSec)} lines/s`],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`).join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let lines = 1_000_000;
  let json: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--lines") lines = Number(args[++i]);
    else if (a === "--json") json = args[++i];
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: node packages/logviz/dist/bench.js [--lines N] [--json FILE]\n");
      return;
    } else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(lines) || lines < 1000) {
    process.stderr.write("bench: --lines must be an integer >= 1000\n");
    process.exit(2);
  }
  const r = await runBench({ lines });
  process.stdout.write(formatBench(r) + "\n");
  if (json) writeFileSync(json, JSON.stringify(r, null, 2) + "\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
