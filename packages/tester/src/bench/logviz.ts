// Figure 3: logviz, through its own bench module (packages/logviz/src/bench.ts, `runBench`), each
// figure against the floor of simply reading and splitting the same file. It runs in a child process
// so its heap measurement (bytes per line) starts clean and nothing of the other figures leaks in.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { notMeasured, type Figure, type Progress } from "./types.js";
import { measureLogvizHtml } from "./logviz-html.js";
import { measureLogvizCli } from "./logviz-cli.js";

/** What logviz's runBench returns (packages/logviz/src/bench.ts BenchResult). */
export interface LogvizBench {
  lines: number;
  fileBytes: number;
  floorReadSplitMs: number;
  parseMs: number;
  parseLinesPerSec: number;
  floorLinesPerSec: number;
  firstScreenMs: number;
  filterMs: Record<string, number>;
  bytesPerLine: number;
  printLinesPerSec: number;
  floorPrintLinesPerSec: number;
}

const TITLE = "3. logviz: a generated trace, against reading and splitting the same file";
const TIMEOUT_MS = 300_000;

/**
 * logviz's bench module (@raftlab/logviz/bench, a declared dependency), resolved without loading it:
 * it runs in a child process. The path of a build that is missing still comes back, for the message.
 */
export function logvizBenchPath(): string {
  try {
    return createRequire(import.meta.url).resolve("@raftlab/logviz/bench");
  } catch {
    return fileURLToPath(new URL("../../../logviz/dist/bench.js", import.meta.url));
  }
}

function isBench(v: unknown): v is LogvizBench {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  const nums = [
    "lines",
    "fileBytes",
    "floorReadSplitMs",
    "parseMs",
    "parseLinesPerSec",
    "floorLinesPerSec",
    "firstScreenMs",
    "bytesPerLine",
    "printLinesPerSec",
    "floorPrintLinesPerSec",
  ];
  return nums.every((k) => typeof o[k] === "number") && typeof o.filterMs === "object" && o.filterMs !== null;
}

function runChild(path: string, lines: number, progress: Progress): Promise<LogvizBench> {
  // Calls the module's exported runBench and prints its result as one JSON line.
  const script = `import(${JSON.stringify(new URL(`file://${path}`).href)}).then(async (m) => {
    if (typeof m.runBench !== "function") throw new Error("packages/logviz/dist/bench.js exports no runBench()");
    const r = await m.runBench({ lines: ${lines}, log: (s) => process.stderr.write(s + "\\n") });
    process.stdout.write(JSON.stringify(r) + "\\n");
  }).catch((e) => { process.stderr.write("error: " + (e && e.message ? e.message : String(e)) + "\\n"); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let lastErr = "";
    let errBuf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      errBuf += d;
      let nl: number;
      while ((nl = errBuf.indexOf("\n")) >= 0) {
        const line = errBuf.slice(0, nl).trim();
        errBuf = errBuf.slice(nl + 1);
        if (line === "") continue;
        lastErr = line;
        progress(`logviz: ${line}`);
      }
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`logviz bench took longer than ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`logviz bench exited with ${code}: ${lastErr || errBuf.trim()}`));
      let parsed: unknown;
      try {
        parsed = JSON.parse(out.trim().split("\n").pop() ?? "");
      } catch {
        return reject(new Error("logviz bench printed no JSON result"));
      }
      if (!isBench(parsed)) return reject(new Error("logviz bench result has an unexpected shape"));
      resolve(parsed);
    });
  });
}

export async function measureLogviz(lines: number, progress: Progress, quick = false): Promise<Figure> {
  const path = logvizBenchPath();
  if (!existsSync(path)) return notMeasured("logviz", TITLE, `${path} not found (logviz's bench module is not built; run \`pnpm build\`)`);
  let r: LogvizBench;
  try {
    r = await runChild(path, lines, progress);
  } catch (err) {
    return notMeasured("logviz", TITLE, err instanceof Error ? err.message : String(err));
  }
  const k = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
  const pct = (x: number): string => (x < 0.1 ? `${(x * 100).toFixed(2)}%` : `${(x * 100).toFixed(0)}%`);
  const floorMs = r.floorReadSplitMs;
  const rows: (string | number)[][] = [
    [
      "parse + index",
      `${k(r.parseLinesPerSec)} lines/s (${(r.parseMs / 1000).toFixed(2)} s)`,
      `${k(r.floorLinesPerSec)} lines/s (${(floorMs / 1000).toFixed(2)} s)`,
      `${(r.parseLinesPerSec / r.floorLinesPerSec).toFixed(2)}× floor speed`,
    ],
    [
      "time to first screen (160×40)",
      `${r.firstScreenMs.toFixed(0)} ms`,
      `${floorMs.toFixed(0)} ms to read+split`,
      `${pct(r.firstScreenMs / floorMs)} of floor time`,
    ],
    ...Object.entries(r.filterMs).map(([name, ms]) => [
      `filter change: ${name}`,
      `${ms.toFixed(1)} ms`,
      `${floorMs.toFixed(0)} ms to read+split`,
      `${pct(ms / floorMs)} of floor time`,
    ]),
    [
      "memory",
      `${r.bytesPerLine.toFixed(0)} bytes/line`,
      `${(r.fileBytes / r.lines).toFixed(0)} bytes/line on disk`,
      `${(r.bytesPerLine / (r.fileBytes / r.lines)).toFixed(2)}× file size`,
    ],
    [
      "print mode",
      `${k(r.printLinesPerSec)} lines/s`,
      `${k(r.floorPrintLinesPerSec)} lines/s (raw lines)`,
      `${(r.printLinesPerSec / r.floorPrintLinesPerSec).toFixed(2)}× floor speed`,
    ],
  ];
  const worstFilter = Math.max(...Object.values(r.filterMs));
  // The HTML page's rows (`--to html`, first render in Chromium): logviz's bench-html module.
  const html = await measureLogvizHtml(progress);
  const htmlPart = "notMeasured" in html ? { tables: [], goals: [], notes: [`HTML page: not measured: ${html.notMeasured}`], data: null } : html;
  // As a user runs it: first screen against less, print mode against cat and dslogs.py, peak memory.
  const cli = await measureLogvizCli(progress, quick);
  const cliPart = "notMeasured" in cli ? { tables: [], goals: [], notes: [`Process-level rows: not measured: ${cli.notMeasured}`], data: null } : cli;
  return {
    id: "logviz",
    title: `${TITLE} (${r.lines.toLocaleString("en-US")} lines, ${(r.fileBytes / 1e6).toFixed(0)} MB)`,
    tables: [{ columns: ["measure", "logviz", "floor", "vs floor"], rows }, ...("table" in htmlPart ? [htmlPart.table] : []), ...cliPart.tables],
    goals: [
      { text: "first screen in about a second", met: r.firstScreenMs < 1500, detail: `${r.firstScreenMs.toFixed(0)} ms` },
      { text: "filter change under 100 ms", met: worstFilter < 100, detail: `slowest ${worstFilter.toFixed(1)} ms` },
      { text: "a few hundred bytes of memory per line", met: r.bytesPerLine < 500, detail: `${r.bytesPerLine.toFixed(0)} bytes/line` },
      ...htmlPart.goals,
      ...cliPart.goals,
    ],
    notes: [
      'From logviz\'s own bench module (runBench), run in a child process. Floor: readFileSync + split("\\n") of the same file; print floor: concatenating the raw lines into 64 KiB chunks for a null sink.',
      "Filter change: recompute the visible rows over the whole store and draw one frame (median of 5).",
      ...htmlPart.notes,
      ...cliPart.notes,
    ],
    data: { ...r, html: htmlPart.data, cli: cliPart.data },
  };
}
