// Figure 3's process-level rows (issue 19 point 5): logviz as a user runs it, beside the tools users
// know, in the same run: the first screen in tmux against `less`, print mode against `cat` and
// dslogs.py, and every mode's peak memory. logviz's own module (packages/logviz/src/bench-cli.ts) runs
// in a child process and prints its result as one JSON line.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FigureTable, Goal, Progress } from "./types.js";

export interface CliBenchRows {
  readonly tables: readonly FigureTable[];
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
  readonly data: unknown;
}

/** What logviz's runCliBench returns (packages/logviz/src/bench-cli.ts CliBenchResult). */
interface CliBench {
  nodeMs: number;
  firstScreen: { lines: number; bytes: number; logvizMs: number[]; lessMs: number[] }[];
  firstScreenNote: string;
  printLines: number;
  print: { what: string; lines: number; ms: number[]; cpuMs: number[] }[];
  dslogsLinesPerSec: number | null;
  dslogsCpuLinesPerSec: number | null;
  dslogsNote: string;
  rss: { mode: string; lines: number; mb: number | null; note: string }[];
  load: [number, number];
}

const TIMEOUT_MS = 900_000;
const GOAL_FIRST_MS = 100;
const GOAL_PRINT_LPS = 380_000;
const GOAL_RSS_MB = 150;

function isCliBench(v: unknown): v is CliBench {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return typeof o.nodeMs === "number" && Array.isArray(o.firstScreen) && Array.isArray(o.print) && Array.isArray(o.rss);
}

function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function runChild(path: string, progress: Progress, quick: boolean): Promise<CliBench> {
  return new Promise((resolve, reject) => {
    const args = quick ? [path, "--json-line", "--quick", "--samples", "2"] : [path, "--json-line"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      for (const line of d.split("\n")) if (line.trim() !== "") progress(`logviz: ${line.trim()}`);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`logviz CLI bench exited with ${code}: ${err.trim().split("\n").pop() ?? ""}`));
      let parsed: unknown;
      try {
        parsed = JSON.parse(out.trim().split("\n").pop() ?? "");
      } catch {
        return reject(new Error("logviz CLI bench printed no JSON result"));
      }
      if (!isCliBench(parsed)) return reject(new Error("logviz CLI bench result has an unexpected shape"));
      resolve(parsed);
    });
  });
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : "n/a");
const k = (n: number): string => `${(n / 1000).toFixed(0)}k lines/s`;
/** Lines per second of a print run, by wall time and by CPU time (medians). */
const lps = (p: { lines: number; ms: number[] }): number => p.lines / (median(p.ms) / 1000);
const cpuLps = (p: { lines: number; cpuMs: number[] }): number => p.lines / (median(p.cpuMs) / 1000);

/** The goals: first screen, print speed of each logviz mode, and peak memory (--to html aside). */
function cliGoals(r: CliBench): Goal[] {
  const cat = r.print.find((p) => p.what === "cat");
  const goals: Goal[] = [];
  for (const f of r.firstScreen) {
    const a = median(f.logvizMs);
    goals.push({
      text: `first screen within ${GOAL_FIRST_MS} ms of launch (${(f.lines / 1000).toFixed(0)}k lines, tmux 200×50)`,
      met: a <= GOAL_FIRST_MS,
      detail: `${ms(a)}; less ${ms(median(f.lessMs))}; node -e 0 ${ms(r.nodeMs)}`,
    });
  }
  for (const p of r.print.filter((x) => x !== cat)) {
    goals.push({
      text: `print mode ≥ ${GOAL_PRINT_LPS / 1000}k lines/s (200× dslogs.py's 1,900), ${p.what}`,
      met: lps(p) >= GOAL_PRINT_LPS,
      detail: `${k(lps(p))} wall, ${k(cpuLps(p)).replace("lines/s", "lines per CPU s")}`,
    });
  }
  const worst = Math.max(...r.rss.filter((m) => m.mb !== null && !m.mode.includes("html")).map((m) => m.mb as number));
  if (Number.isFinite(worst))
    goals.push({ text: `every mode under ${GOAL_RSS_MB} MB (--to html aside)`, met: worst < GOAL_RSS_MB, detail: `largest ${worst.toFixed(0)} MB` });
  return goals;
}

/** `quick`: logs a tenth the size and 2 samples (pnpm bench --quick: a smoke run, not figures). */
export async function measureLogvizCli(progress: Progress, quick = false): Promise<CliBenchRows | { readonly notMeasured: string }> {
  const path = fileURLToPath(new URL("../../../logviz/dist/bench-cli.js", import.meta.url));
  if (!existsSync(path)) return { notMeasured: `${path} not found (run \`pnpm build\`)` };
  let r: CliBench;
  try {
    r = await runChild(path, progress, quick);
  } catch (e) {
    return { notMeasured: e instanceof Error ? e.message : String(e) };
  }
  const screenRows = r.firstScreen.map((f) => {
    const a = median(f.logvizMs);
    const b = median(f.lessMs);
    return [
      `first screen, ${(f.lines / 1000).toLocaleString("en-US")}k lines (${(f.bytes / 1e6).toFixed(0)} MB)`,
      ms(a),
      `less ${ms(b)}`,
      `${(a / b).toFixed(2)}× less`,
    ];
  });
  const cat = r.print.find((p) => p.what === "cat");
  const dsCpu = r.dslogsCpuLinesPerSec;
  const printRows = r.print
    .filter((p) => p !== cat)
    .flatMap((p) => [
      [
        `${p.what}, ${(p.lines / 1000).toFixed(0)}k lines, wall`,
        `${k(lps(p))} (${ms(median(p.ms))})`,
        r.dslogsLinesPerSec !== null ? `dslogs.py ${r.dslogsLinesPerSec.toFixed(0)} lines/s` : "dslogs.py: not measured",
        r.dslogsLinesPerSec !== null ? `${(lps(p) / r.dslogsLinesPerSec).toFixed(0)}× dslogs.py` : "",
      ],
      [
        `${p.what}, ${(p.lines / 1000).toFixed(0)}k lines, CPU`,
        `${k(cpuLps(p))} (${ms(median(p.cpuMs))} CPU)`,
        dsCpu !== null ? `dslogs.py ${dsCpu.toFixed(0)} lines per CPU s` : "dslogs.py: not measured",
        dsCpu !== null ? `${(cpuLps(p) / dsCpu).toFixed(0)}× dslogs.py` : "",
      ],
    ]);
  if (cat) printRows.push([`cat, ${(cat.lines / 1000).toFixed(0)}k lines`, `${k(lps(cat))} (${ms(median(cat.ms))})`, "", ""]);
  const rssRows = r.rss.map((m) => [
    `peak memory: ${m.mode}, ${(m.lines / 1000).toFixed(0)}k lines`,
    m.mb !== null ? `${m.mb.toFixed(0)} MB` : "n/a",
    `goal ${GOAL_RSS_MB} MB`,
    m.note,
  ]);
  const goals = cliGoals(r);
  return {
    tables: [
      { columns: ["as a user runs it", "logviz", "beside it", "ratio"], rows: [...screenRows, ...printRows] },
      { columns: ["peak memory (max RSS)", "logviz", "goal", "note"], rows: rssRows },
    ],
    goals,
    notes: [
      `Process level, measured in one run (load average ${r.load[0]} at its start, ${r.load[1]} at its end; \`node -e 0\` took ${ms(r.nodeMs)}): dslogs logs from synth-dslogs.ts in its three styles (explicit Role@T, arrow with PL(I,T), plain) with the Go tester's lines. Medians of the samples.`,
      "First screen: from spawning the command in a new tmux session of 200×50 until capture-pane shows the file's first line; logviz and less in turn.",
      `Print mode: the CLI with its output to /dev/null, --width 200, start-up included; CPU = the process's user + system time (at exit, from resourceUsage / getrusage), which moves much less than the wall time on a shared machine. logviz, cat and dslogs.py run in turn. ${r.dslogsNote}.`,
      ...(r.firstScreenNote ? [`First screen: ${r.firstScreenNote}.`] : []),
    ],
    data: r,
  };
}
