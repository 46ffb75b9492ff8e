// Figure 6: what the isolation of issue 20 costs the suite. Each round runs the whole lab suite at one
// seed twice, each in a fresh child process (bench/isolation-child.ts): once as `raftlab run`'s isolated
// child runs it (built-ins locked, checked at the runner's cadence) and once without. The order
// alternates between rounds so drift on a shared machine hits both sides alike. The figure is each
// child's own CPU time, isolated ÷ baseline, as medians over the rounds with their spread.

import { execFile } from "node:child_process";
import { loadavg } from "node:os";
import { promisify } from "node:util";
import { childScriptPath } from "../isolation/supervisor.js";
import { notMeasured, type Figure, type Progress } from "./types.js";

/** The goal of issue 20 point 1: the suite per seed at most 5% slower. */
export const GOAL_ISOLATION_RATIO = 1.05;

const TITLE = "6. Isolation (issue 20): the suite per seed, isolated child ÷ unisolated";

export interface IsolationOptions {
  readonly rounds: number;
  readonly seed: number;
}

type Variant = "isolated" | "baseline";

interface ChildRun {
  readonly mode: Variant;
  readonly passed: number;
  readonly failed: number;
  readonly cpuUs: number;
  readonly wallMs: number;
}

export interface IsolationRound {
  readonly round: number;
  readonly first: Variant;
  readonly isolated: ChildRun;
  readonly baseline: ChildRun;
  readonly ratio: number;
}

const run = promisify(execFile);

/** One child: the suite at `seed` in `mode`; its own report (a JSON line on stdout). */
async function runChild(script: string, mode: Variant, seed: number): Promise<ChildRun> {
  const { stdout } = await run(process.execPath, [script, mode, String(seed)], { maxBuffer: 1 << 20 });
  const line = stdout.trim().split("\n").pop() ?? "";
  const r = JSON.parse(line) as Partial<ChildRun>;
  if (r.mode !== mode || typeof r.cpuUs !== "number" || typeof r.passed !== "number" || typeof r.failed !== "number" || typeof r.wallMs !== "number") {
    throw new Error(`the ${mode} bench child printed no result: ${line.slice(0, 200)}`);
  }
  return { mode, passed: r.passed, failed: r.failed, cpuUs: r.cpuUs, wallMs: r.wallMs };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export async function measureIsolation(options: IsolationOptions, progress: Progress): Promise<{ figure: Figure; failedRuns: number }> {
  const rounds: IsolationRound[] = [];
  const load0 = loadavg()[0] ?? Number.NaN;
  try {
    const script = childScriptPath("bench/isolation-child.js");
    for (let i = 0; i < options.rounds; i++) {
      const first: Variant = i % 2 === 0 ? "baseline" : "isolated";
      const second: Variant = first === "baseline" ? "isolated" : "baseline";
      progress(`isolation: round ${i + 1}/${options.rounds}, the suite at seed ${options.seed}: ${first}, then ${second}…`);
      const a = await runChild(script, first, options.seed);
      const b = await runChild(script, second, options.seed);
      const isolated = first === "isolated" ? a : b;
      const baseline = first === "baseline" ? a : b;
      rounds.push({ round: i + 1, first, isolated, baseline, ratio: isolated.cpuUs / baseline.cpuUs });
    }
  } catch (err) {
    return { figure: notMeasured("isolation", TITLE, err instanceof Error ? (err.message.split("\n")[0] ?? err.message) : String(err)), failedRuns: 0 };
  }
  const load1 = loadavg()[0] ?? Number.NaN;
  return { figure: isolationFigure(options, rounds, [load0, load1]), failedRuns: rounds.reduce((n, r) => n + r.isolated.failed + r.baseline.failed, 0) };
}

function isolationFigure(options: IsolationOptions, rounds: readonly IsolationRound[], load: readonly [number, number]): Figure {
  const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "-");
  const ratios = rounds.map((r) => r.ratio);
  const isoCpu = median(rounds.map((r) => r.isolated.cpuUs / 1e6));
  const baseCpu = median(rounds.map((r) => r.baseline.cpuUs / 1e6));
  const ofMedians = isoCpu / baseCpu;
  const perRound = median(ratios);
  const spread = [Math.min(...ratios), Math.max(...ratios)] as const;
  const n = rounds.length;
  const loadText = `load average ${load[0].toFixed(1)} → ${load[1].toFixed(1)}`;
  return {
    id: "isolation",
    title: TITLE,
    tables: [
      {
        columns: ["round", "order", "baseline CPU s", "isolated CPU s", "isolated ÷ baseline", "baseline wall s", "isolated wall s", "tests passed (base/iso)"],
        rows: rounds.map((r) => [
          r.round,
          r.first === "baseline" ? "base, iso" : "iso, base",
          f3(r.baseline.cpuUs / 1e6),
          f3(r.isolated.cpuUs / 1e6),
          `${f3(r.ratio)}×`,
          f3(r.baseline.wallMs / 1000),
          f3(r.isolated.wallMs / 1000),
          `${r.baseline.passed}/${r.isolated.passed}`,
        ]),
      },
      {
        columns: ["", "baseline CPU s", "isolated CPU s", "ratio of medians", "median of per-round ratios", "per-round min", "per-round max"],
        rows: [[`median of ${n}`, f3(baseCpu), f3(isoCpu), `${f3(ofMedians)}×`, `${f3(perRound)}×`, `${f3(spread[0])}×`, `${f3(spread[1])}×`]],
      },
    ],
    goals: [
      {
        text: `the suite per seed at most ${Math.round((GOAL_ISOLATION_RATIO - 1) * 100)}% slower isolated (issue 20 point 1)`,
        met: perRound <= GOAL_ISOLATION_RATIO,
        detail: `×${f3(perRound)} CPU (median of ${n} per-round ratios; spread ×${f3(spread[0])}–×${f3(spread[1])}; ratio of medians ×${f3(ofMedians)}; ${loadText})`,
      },
    ],
    notes: [
      `Each round: all lab tests at seed ${options.seed}, each variant in a fresh child process (node bench/isolation-child.js), the order alternating between rounds; CPU = the child's own process.cpuUsage() from just before the lock to its last verdict (not its start-up).`,
      "isolated = what run/child.ts does around the tests: freezeIntrinsics(), then runTest with builtinsCheck: patchedIntrinsic at the runner's default cadence (every 256 simulator events and at each body's end), and the check before each verdict. Not included: the authenticated channel's messages to the parent (a few per test) and the parent's own process.",
      "baseline = the same child, the same tests, without the lock and the checks (a bench-only entry script: the product has no switch to turn the isolation off).",
      `Rounds scatter on a shared machine; ${loadText} over the figure.`,
    ],
    data: {
      seed: options.seed,
      rounds,
      medianCpuS: { baseline: baseCpu, isolated: isoCpu },
      ratioOfMedians: ofMedians,
      medianOfRatios: perRound,
      spread,
      loadAverage: load,
    },
  };
}
