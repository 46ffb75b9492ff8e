// logviz as a user runs it, beside the tools users know, measured in the same run (issue 19 point 5):
//  - first screen: `logviz FILE` and `less FILE` in tmux at 200x50, from spawning the command to the
//    pane showing the file's first line (capture-pane polled), on logs of 176k and 1.7M lines;
//  - print mode on a 96k-line log in the columns and list layouts, against `cat` of the same file and
//    dslogs.py (bench/dslogs.py, a reimplementation of its core loop, when python3 has rich);
//  - peak memory (max RSS) of every mode on the largest log: print, --to jsonl, the interactive view,
//    and --to html (which holds the whole page until it is written: measured on the 176k log).
// The logs are dslogs text from synth-dslogs.ts in its three styles (explicit `Role@T`, arrow with
// `PL(I,T)`, plain) with the Go tester's own lines. Run: node packages/logviz/dist/bench-cli.js
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { shellQuote } from "@raftlab/raft/terminal";
import { synthDslogs } from "./synth-dslogs.js";

const BIN = fileURLToPath(new URL("../bin/logviz.js", import.meta.url));
const DSLOGS_PY = fileURLToPath(new URL("../bench/dslogs.py", import.meta.url));
const WIDTH = 200;
const sh = (words: readonly string[]): string => words.map(shellQuote).join(" ");
const HEIGHT = 50;
/** Goals of issue 19 point 5. */
export const GOALS = { firstScreenMs: 100, printLinesPerSec: 380_000, rssMB: 150, dslogsLinesPerSec: 1_900 } as const;

export interface FirstScreen {
  readonly lines: number;
  readonly bytes: number;
  /** Milliseconds from spawn to the first line on screen, one per sample. */
  readonly logvizMs: number[];
  readonly lessMs: number[];
}

export interface PrintRun {
  readonly what: string;
  readonly lines: number;
  /** Wall milliseconds, one per sample. */
  readonly ms: number[];
  /** CPU milliseconds (user + system) of the process, one per sample (empty: not measured). On a
   * machine shared with other work these move much less than the wall times. */
  readonly cpuMs: number[];
}

export interface RssRun {
  readonly mode: string;
  readonly lines: number;
  /** Peak resident set, MB (null: not measured, see note). */
  readonly mb: number | null;
  readonly note: string;
}

export interface CliBenchResult {
  /** `node -e 0`, ms (median): what any Node program pays before its first line of code. */
  readonly nodeMs: number;
  readonly firstScreen: FirstScreen[];
  readonly firstScreenNote: string;
  readonly printLines: number;
  readonly print: PrintRun[];
  /** dslogs.py's lines/s, by wall time and by CPU time (null: python3 with rich not found). */
  readonly dslogsLinesPerSec: number | null;
  readonly dslogsCpuLinesPerSec: number | null;
  readonly dslogsNote: string;
  readonly rss: RssRun[];
  readonly load: [number, number];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function loadAvg(): number {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** Writes a dslogs log of `lines` lines in the three styles; returns its first line and size. */
function writeLog(path: string, lines: number): { first: string; bytes: number } {
  const fd = openSync(path, "w");
  let buf = "";
  let first = "";
  let bytes = 0;
  for (const l of synthDslogs({ lines, seed: 19, styles: ["explicit", "arrow", "plain"] })) {
    if (first === "") first = l;
    buf += l + "\n";
    if (buf.length >= 1 << 20) {
      bytes += writeSync(fd, buf);
      buf = "";
    }
  }
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return { first, bytes };
}

function timed(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): { ms: number; r: SpawnSyncReturns<Buffer> } {
  const out = openSync("/dev/null", "w");
  try {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ["ignore", out, "pipe"], env: env ?? process.env, maxBuffer: 1 << 20 });
    return { ms: performance.now() - t0, r };
  } finally {
    closeSync(out);
  }
}

/** A private tmux server (its own socket) for the first-screen figure. */
class Tmux {
  private n = 0;
  constructor(private readonly socket: string) {}
  run(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync("tmux", ["-S", this.socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  }
  /** Starts `cmd` in a new 200x50 session; returns ms until the pane shows `expect` (NaN: it never did
   * within `limitMs`). The session is killed after. */
  firstScreen(cmd: string, expect: string, limitMs = 20_000): number {
    const s = `b${++this.n}`;
    const t0 = performance.now();
    const started = this.run("new-session", "-d", "-s", s, "-x", String(WIDTH), "-y", String(HEIGHT), cmd);
    let ms = NaN;
    if (started.status === 0) {
      while (performance.now() - t0 < limitMs) {
        const shot = this.run("capture-pane", "-p", "-t", s);
        if (shot.status === 0 && shot.stdout.includes(expect)) {
          ms = performance.now() - t0;
          break;
        }
      }
    }
    this.run("kill-session", "-t", s);
    return ms;
  }
  /** Starts `cmd` in a session and waits (up to `limitMs`) until the pane shows `expect`. */
  startAndWait(cmd: string, expect: string, limitMs: number): string | null {
    const s = `w${++this.n}`;
    if (this.run("new-session", "-d", "-s", s, "-x", String(WIDTH), "-y", String(HEIGHT), cmd).status !== 0) return null;
    const end = Date.now() + limitMs;
    while (Date.now() < end) {
      const shot = this.run("capture-pane", "-p", "-t", s);
      if (shot.status !== 0) return null;
      if (shot.stdout.includes(expect)) return s;
      spawnSync("sleep", ["0.2"]);
    }
    this.run("kill-session", "-t", s);
    return null;
  }
  close(): void {
    this.run("kill-server");
  }
}

function hasTmux(): boolean {
  return spawnSync("tmux", ["-V"]).status === 0;
}

function hasLess(): boolean {
  return spawnSync("less", ["--version"]).status === 0;
}

/** A python3 that can import rich (dslogs.py's one dependency), or null. */
function pythonWithRich(): string | null {
  for (const py of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(py, ["-c", "import rich"]).status === 0) return py;
  }
  return null;
}

/** Node with a preload that writes the process's peak RSS (KB) to $LOGVIZ_BENCH_RSS at exit. */
function rssProbe(dir: string): string {
  const probe = join(dir, "rss-probe.cjs");
  writeFileSync(
    probe,
    `process.on("exit", () => { try { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.LOGVIZ_BENCH_RSS, u.maxRSS + " " + (u.userCPUTime + u.systemCPUTime) / 1000); } catch {} });\n`,
  );
  return probe;
}

/** Peak RSS in MB written by the probe, or null. */
function readRss(file: string): number | null {
  try {
    return Number(readFileSync(file, "utf8").split(" ")[0]) / 1024;
  } catch {
    return null;
  }
}

/** CPU ms (user + system) written by the probe, or NaN. */
function readCpu(file: string): number {
  try {
    return Number(readFileSync(file, "utf8").split(" ")[1]);
  } catch {
    return NaN;
  }
}

/** Runs dslogs.py under a wrapper that writes its CPU ms to `cpuFile` at exit. */
function dslogsArgs(cpuFile: string, args: readonly string[]): string[] {
  const wrapper = `import resource, runpy, sys\nsys.argv = ${JSON.stringify([DSLOGS_PY, ...args])}\ntry:\n    runpy.run_path(sys.argv[0], run_name="__main__")\nfinally:\n    u = resource.getrusage(resource.RUSAGE_SELF)\n    open(${JSON.stringify(cpuFile)}, "w").write(str((u.ru_utime + u.ru_stime) * 1000))\n`;
  return ["-c", wrapper];
}

export interface CliBenchOptions {
  /** Lines of the two first-screen logs and the print-mode log. */
  readonly firstScreenLines?: readonly number[];
  readonly printLines?: number;
  /** Samples per measurement. */
  readonly samples?: number;
  readonly log?: (s: string) => void;
}

/** A generated log of `n` lines at `path`. */
type SizedLog = { readonly n: number; readonly path: string } & ReturnType<typeof writeLog>;

/** First screen, logviz and less in turn, on each log; or why it could not be measured. */
function measureFirstScreen(dir: string, logs: readonly SizedLog[], samples: number, log: (s: string) => void): { firstScreen: FirstScreen[]; note: string } {
  const firstScreen: FirstScreen[] = [];
  if (!hasTmux()) return { firstScreen, note: "not measured: tmux not found" };
  if (!hasLess()) return { firstScreen, note: "not measured: less not found" };
  const node = process.execPath;
  const tmux = new Tmux(join(dir, "tmux.sock"));
  try {
    tmux.run("new-session", "-d", "-s", "keep", "-x", String(WIDTH), "-y", String(HEIGHT), "sleep 3600");
    for (const l of logs) {
      log(`first screen, ${l.n} lines…`);
      const logvizMs: number[] = [];
      const lessMs: number[] = [];
      const env = "env -u NO_COLOR -u FORCE_COLOR -u CI -u LESS -u LESSOPEN";
      for (let i = 0; i < samples; i++) {
        logvizMs.push(tmux.firstScreen(`${env} ${sh([node, BIN, l.path])}`, l.first));
        lessMs.push(tmux.firstScreen(`${env} ${sh(["less", l.path])}`, l.first));
      }
      firstScreen.push({ lines: l.n, bytes: l.bytes, logvizMs, lessMs });
    }
  } finally {
    tmux.close();
  }
  return { firstScreen, note: "" };
}

type PrintFigures = Pick<CliBenchResult, "print" | "dslogsLinesPerSec" | "dslogsCpuLinesPerSec" | "dslogsNote">;

/** Print mode, against cat and dslogs.py, in turn (so a burst of load on the machine hits them alike). */
function measurePrint(dir: string, printLog: string, printLines: number, samples: number, probe: string): PrintFigures {
  const node = process.execPath;
  const print: PrintRun[] = [
    { what: "logviz --print, columns", lines: printLines, ms: [], cpuMs: [] },
    { what: "logviz --print, list", lines: printLines, ms: [], cpuMs: [] },
    { what: "cat", lines: printLines, ms: [], cpuMs: [] },
  ];
  const py = pythonWithRich();
  const dslogsLines = 3000;
  const dslogs: PrintRun = { what: "dslogs.py", lines: dslogsLines, ms: [], cpuMs: [] };
  const part = join(dir, "dslogs-part.log");
  if (py !== null) writeLog(part, dslogsLines);
  const cpuFile = join(dir, "cpu");
  const logviz = (run: PrintRun, layout: string): void => {
    rmSync(cpuFile, { force: true });
    run.ms.push(
      timed(node, ["--require", probe, BIN, printLog, "--print", "--layout", layout, "--width", String(WIDTH)], { ...process.env, LOGVIZ_BENCH_RSS: cpuFile })
        .ms,
    );
    run.cpuMs.push(readCpu(cpuFile));
  };
  for (let i = 0; i < samples; i++) {
    logviz(print[0] as PrintRun, "columns");
    logviz(print[1] as PrintRun, "list");
    print[2]?.ms.push(timed("cat", [printLog]).ms);
    // dslogs.py renders one rich Columns per line (about 2,000 lines/s): its first 3,000 lines.
    if (py !== null && i < 3) {
      rmSync(cpuFile, { force: true });
      dslogs.ms.push(timed(py, dslogsArgs(cpuFile, ["-c", "5", "--no-color", part]), { ...process.env, COLUMNS: String(WIDTH), LINES: String(HEIGHT) }).ms);
      dslogs.cpuMs.push(Number(existsSync(cpuFile) ? readFileSync(cpuFile, "utf8") : NaN));
    }
  }
  if (py === null || !existsSync(DSLOGS_PY)) {
    return { print, dslogsLinesPerSec: null, dslogsCpuLinesPerSec: null, dslogsNote: "not measured: no python3 with the rich module (dslogs.py's dependency)" };
  }
  return {
    print,
    dslogsLinesPerSec: linesPerSec(dslogs),
    dslogsCpuLinesPerSec: cpuLinesPerSec(dslogs),
    dslogsNote: `bench/dslogs.py (a reimplementation of dslogs.py's core loop with rich ${richVersion(py)}), 5 columns, width ${WIDTH}, on the first ${dslogsLines} lines`,
  };
}

/** Peak memory of every mode on the largest log (--to html on the first, smaller one). */
function measureRss(dir: string, logs: readonly SizedLog[], probe: string, log: (s: string) => void): RssRun[] {
  const big = logs[logs.length - 1];
  const mid = logs[0];
  const rss: RssRun[] = [];
  if (!big || !mid) return rss;
  const rssOf = (mode: string, l: SizedLog, args: string[], note: string): void => {
    log(`memory: ${mode}, ${l.n} lines…`);
    const f = join(dir, `rss-${rss.length}`);
    const r = timed(process.execPath, ["--require", probe, BIN, l.path, ...args], { ...process.env, LOGVIZ_BENCH_RSS: f });
    rss.push({
      mode,
      lines: l.n,
      mb: r.r.status === 0 ? readRss(f) : null,
      note: r.r.status === 0 ? note : `exit ${r.r.status}: ${r.r.stderr.toString().trim().slice(0, 200)}`,
    });
  };
  rssOf("print, columns", big, ["--print", "--layout", "columns", "--width", String(WIDTH)], "");
  rssOf("print, list", big, ["--print", "--layout", "list"], "");
  rssOf("--to jsonl", big, ["--to", "jsonl"], "");
  rssOf("--to html", mid, ["--to", "html"], "the page holds every row until it is written, so its memory grows with the input");
  if (hasTmux()) {
    log(`memory: interactive, ${big.n} lines…`);
    rss.push(interactiveRss(dir, big, probe));
  }
  return rss;
}

/** The interactive viewer's peak memory once it has read the whole log (then quit with q). */
function interactiveRss(dir: string, big: SizedLog, probe: string): RssRun {
  const tmux = new Tmux(join(dir, "tmux2.sock"));
  const f = join(dir, "rss-interactive");
  try {
    const cmd = `env LOGVIZ_BENCH_RSS=${sh([f])} ${sh([process.execPath, "--require", probe, BIN, big.path])}`;
    const s = tmux.startAndWait(cmd, "end of input", 300_000);
    let mb: number | null = null;
    if (s !== null) {
      tmux.run("send-keys", "-t", s, "q");
      for (let i = 0; i < 50 && mb === null; i++) {
        spawnSync("sleep", ["0.2"]);
        mb = readRss(f);
      }
    }
    return { mode: "interactive, read to the end", lines: big.n, mb, note: s === null ? "did not finish reading within 300 s" : "" };
  } finally {
    tmux.close();
  }
}

export async function runCliBench(opts: CliBenchOptions = {}): Promise<CliBenchResult> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const samples = opts.samples ?? 5;
  const sizes = opts.firstScreenLines ?? [176_000, 1_700_000];
  const printLines = opts.printLines ?? 96_000;
  const load0 = loadAvg();
  const dir = mkdtempSync(join(tmpdir(), "logviz-bench-cli-"));
  const node = process.execPath;
  try {
    log(`writing dslogs logs of ${[printLines, ...sizes].join(", ")} lines…`);
    const printLog = join(dir, `print-${printLines}.log`);
    writeLog(printLog, printLines);
    const logs: SizedLog[] = sizes.map((n) => {
      const path = join(dir, `screen-${n}.log`);
      return { n, path, ...writeLog(path, n) };
    });

    const nodeMs = median(Array.from({ length: samples }, () => timed(node, ["-e", "0"]).ms));
    const { firstScreen, note: firstScreenNote } = measureFirstScreen(dir, logs, samples, log);
    log(`print mode, ${printLines} lines…`);
    const probe = rssProbe(dir);
    const printed = measurePrint(dir, printLog, printLines, samples, probe);
    const rss = measureRss(dir, logs, probe, log);
    return { nodeMs, firstScreen, firstScreenNote, printLines, ...printed, rss, load: [load0, loadAvg()] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function richVersion(py: string): string {
  const r = spawnSync(py, ["-c", "import importlib.metadata as m; print(m.version('rich'))"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "?";
}

/** Lines per second of a print run (median wall time). */
export function linesPerSec(p: PrintRun): number {
  return p.lines / (median(p.ms) / 1000);
}

/** Lines per CPU second of a print run (median CPU time; NaN when not measured). */
export function cpuLinesPerSec(p: PrintRun): number {
  return p.lines / (median(p.cpuMs.filter((x) => Number.isFinite(x))) / 1000);
}

export function formatCliBench(r: CliBenchResult): string {
  const out: string[] = [];
  const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : "n/a");
  out.push(`node -e 0: ${ms(r.nodeMs)}; load ${r.load[0]} → ${r.load[1]}`);
  if (r.firstScreenNote) out.push(`first screen: ${r.firstScreenNote}`);
  for (const f of r.firstScreen) {
    const a = median(f.logvizMs);
    const b = median(f.lessMs);
    out.push(
      `first screen ${WIDTH}x${HEIGHT}, ${f.lines} lines: logviz ${ms(a)} (min ${ms(Math.min(...f.logvizMs))}), less ${ms(b)} (min ${ms(Math.min(...f.lessMs))}), ${(a / b).toFixed(2)}× less; goal ≤ ${GOALS.firstScreenMs} ms: ${a <= GOALS.firstScreenMs ? "met" : "not met"}`,
    );
  }
  for (const p of r.print) {
    const lps = linesPerSec(p);
    const vs = r.dslogsLinesPerSec !== null ? `, ${(lps / r.dslogsLinesPerSec).toFixed(0)}× dslogs.py` : "";
    const cpu =
      p.cpuMs.length > 0
        ? `; CPU ${ms(median(p.cpuMs))}: ${(cpuLinesPerSec(p) / 1000).toFixed(0)}k lines per CPU s${r.dslogsCpuLinesPerSec !== null ? `, ${(cpuLinesPerSec(p) / r.dslogsCpuLinesPerSec).toFixed(0)}× dslogs.py` : ""}`
        : "";
    out.push(`print ${r.printLines} lines, ${p.what}: ${ms(median(p.ms))} (${(lps / 1000).toFixed(0)}k lines/s${vs}${cpu})`);
  }
  out.push(
    `dslogs.py: ${r.dslogsLinesPerSec !== null ? `${r.dslogsLinesPerSec.toFixed(0)} lines/s, ${(r.dslogsCpuLinesPerSec ?? NaN).toFixed(0)} lines per CPU s;` : ""} ${r.dslogsNote}`,
  );
  for (const m of r.rss) out.push(`max RSS, ${m.mode}, ${m.lines} lines: ${m.mb !== null ? `${m.mb.toFixed(0)} MB` : "n/a"}${m.note ? ` (${m.note})` : ""}`);
  return out.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let json: string | undefined;
  let samples: number | undefined;
  let quick = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") json = args[++i];
    else if (a === "--json-line") json = "-";
    else if (a === "--samples") samples = Number(args[++i]);
    else if (a === "--quick") quick = true;
    else if (a === "--help" || a === "-h") {
      process.stdout.write(
        "usage: node packages/logviz/dist/bench-cli.js [--samples N] [--quick] [--json FILE | --json-line]\n  --quick: logs of 17.6k and 170k lines instead of 176k and 1.7M\n",
      );
      return;
    } else {
      process.stderr.write(`bench-cli: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (samples !== undefined && (!Number.isInteger(samples) || samples < 1 || samples > 50)) {
    process.stderr.write("bench-cli: --samples must be an integer from 1 to 50\n");
    process.exit(2);
  }
  const r = await runCliBench({ samples, ...(quick ? { firstScreenLines: [17_600, 170_000] } : {}) });
  // --json-line: the result as one JSON line on stdout (pnpm bench reads it), progress on stderr.
  if (json === "-") process.stdout.write(JSON.stringify(r) + "\n");
  else process.stdout.write(formatCliBench(r) + "\n");
  if (json && json !== "-") writeFileSync(json, JSON.stringify(r, null, 2) + "\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench-cli: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
