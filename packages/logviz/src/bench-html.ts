// The HTML page's benchmark: `logviz FILE --to html` on a generated 100k-event trace against
// `--to jsonl` on the same file (both as the CLI runs them, output to a file), and the time from
// navigation to the page's first render in headless Chromium (Debian's chromium through playwright-core;
// not measured, and says why, where there is none). Used by `pnpm bench` (packages/tester/src/bench).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CHROMIUM, CHROMIUM_ARGS } from "./html/chromium.js";
import { synthTraceText } from "./synth.js";

export interface HtmlBenchResult {
  events: number;
  traceBytes: number;
  pageBytes: number;
  /** Median wall time of the CLI, ms. */
  toHtmlMs: number;
  toJsonlMs: number;
  /** toHtmlMs / toJsonlMs. */
  ratio: number;
  /** Navigation to the page's first render (body[data-ready]) in headless Chromium, median ms; null if not measured. */
  firstRenderMs: number | null;
  /** Why firstRenderMs is null. */
  browserNote: string | null;
}

export interface HtmlBenchOptions {
  readonly events?: number;
  readonly runs?: number;
  readonly chromium?: string;
  readonly log?: (s: string) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Runs the built CLI with stdout to `out`; wall ms. */
function timeCli(args: string[], out: string): number {
  const cli = fileURLToPath(new URL("./cli.js", import.meta.url));
  const fd = openSync(out, "w");
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { stdio: ["ignore", fd, "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`logviz ${args.join(" ")} exited with ${r.status}: ${String(r.stderr).trim()}`);
    return ms;
  } finally {
    closeSync(fd);
  }
}

async function firstRender(page: string, chromium: string, runs: number): Promise<{ ms: number | null; note: string | null }> {
  if (!existsSync(chromium)) return { ms: null, note: `no browser at ${chromium} (apt-get install chromium)` };
  let pw: typeof import("playwright-core");
  try {
    pw = await import("playwright-core");
  } catch {
    return { ms: null, note: "playwright-core is not installed (a devDependency of @raftlab/logviz)" };
  }
  const browser = await pw.chromium.launch({ executablePath: chromium, args: [...CHROMIUM_ARGS] });
  try {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const t0 = performance.now();
      await p.goto(pathToFileURL(page).href);
      await p.waitForSelector("body[data-ready]", { timeout: 60_000 });
      times.push(performance.now() - t0);
      await p.close();
    }
    return { ms: median(times), note: null };
  } finally {
    await browser.close();
  }
}

export async function runHtmlBench(o: HtmlBenchOptions = {}): Promise<HtmlBenchResult> {
  const events = o.events ?? 100_000;
  const runs = o.runs ?? 3;
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "logviz-html-bench-"));
  try {
    const trace = join(dir, "trace.jsonl");
    writeFileSync(trace, synthTraceText({ lines: events, peers: 5, seed: 1 }));
    const page = join(dir, "run.html");
    const html: number[] = [];
    const jsonl: number[] = [];
    for (let i = 0; i < runs; i++) {
      log(`html bench: --to html, run ${i + 1} of ${runs}`);
      html.push(timeCli([trace, "--to", "html"], page));
      log(`html bench: --to jsonl, run ${i + 1} of ${runs}`);
      jsonl.push(timeCli([trace, "--to", "jsonl"], join(dir, "out.jsonl")));
    }
    log("html bench: first render in headless Chromium");
    const fr = await firstRender(page, o.chromium ?? CHROMIUM, runs);
    const toHtmlMs = median(html);
    const toJsonlMs = median(jsonl);
    return {
      events,
      traceBytes: statSync(trace).size,
      pageBytes: statSync(page).size,
      toHtmlMs,
      toJsonlMs,
      ratio: toHtmlMs / toJsonlMs,
      firstRenderMs: fr.ms,
      browserNote: fr.note,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: node packages/logviz/dist/bench-html.js [events]
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = Number(process.argv[2] ?? 100_000);
  runHtmlBench({ events, log: (s) => process.stderr.write(s + "\n") }).then(
    (r) => process.stdout.write(JSON.stringify(r) + "\n"),
    (e: unknown) => {
      process.stderr.write(`bench-html: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
