// Figure 3's HTML rows: logviz's own HTML bench module (packages/logviz/src/bench-html.ts), run in a
// child process: `--to html` against `--to jsonl` on a 100k-event trace, and the page's first render in
// headless Chromium (goal: under 2 s).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { FigureTable, Goal, Progress } from "./types.js";

export interface HtmlBenchRows {
  readonly table: FigureTable;
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
  readonly data: unknown;
}

const EVENTS = 100_000;
const TIMEOUT_MS = 600_000;

function runChild(path: string, progress: Progress): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, String(EVENTS)], { stdio: ["ignore", "pipe", "pipe"] });
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
      if (code !== 0) return reject(new Error(`html bench exited with ${code}: ${err.trim().split("\n").pop() ?? ""}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as Record<string, unknown>);
      } catch {
        reject(new Error("html bench printed no JSON result"));
      }
    });
  });
}

/** The HTML rows, or null (with the reason in a note) when they cannot be measured. */
export async function measureLogvizHtml(progress: Progress): Promise<HtmlBenchRows | { readonly notMeasured: string }> {
  const path = logvizHtmlBenchPath();
  if (!existsSync(path)) return { notMeasured: `${path} not found (run \`pnpm build\`)` };
  let r: Record<string, unknown>;
  try {
    r = await runChild(path, progress);
  } catch (e) {
    return { notMeasured: e instanceof Error ? e.message : String(e) };
  }
  const n = (k: string): number => (typeof r[k] === "number" ? (r[k] as number) : NaN);
  const first = typeof r.firstRenderMs === "number" ? r.firstRenderMs : null;
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  return {
    table: {
      columns: ["measure", "logviz", "compared with", "ratio"],
      rows: [
        [
          `--to html, ${EVENTS / 1000}k events`,
          `${(n("toHtmlMs") / 1000).toFixed(2)} s (${mb(n("pageBytes"))} page)`,
          `--to jsonl: ${(n("toJsonlMs") / 1000).toFixed(2)} s`,
          `${n("ratio").toFixed(2)}×`,
        ],
        [
          "page's first render, headless Chromium",
          first === null ? `not measured: ${String(r.browserNote)}` : `${first.toFixed(0)} ms`,
          "goal 2000 ms",
          first === null ? "" : `${(first / 2000).toFixed(2)}× goal`,
        ],
      ],
    },
    goals: first === null ? [] : [{ text: "HTML page's first render under 2 s (100k events)", met: first < 2000, detail: `${first.toFixed(0)} ms` }],
    notes: [
      "HTML: the CLI as a user runs it (output to a file), median of 3; first render: navigation from file:// to the page's first drawn frame (body[data-ready]), median of 3.",
    ],
    data: r,
  };
}

/** logviz's HTML bench module (@raftlab/logviz/bench-html, a declared dependency), resolved without loading it. */
function logvizHtmlBenchPath(): string {
  try {
    return createRequire(import.meta.url).resolve("@raftlab/logviz/bench-html");
  } catch {
    return fileURLToPath(new URL("../../../logviz/dist/bench-html.js", import.meta.url));
  }
}
