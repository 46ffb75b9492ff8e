// Figure 1: the whole lab suite (3A–3D) at seeds 1..N, run in this process one test after another
// (one JS thread), tracing off. Per part: virtual seconds simulated, wall seconds, CPU seconds and RPCs
// per wall second, with the speed-up against the lab's published real time for the same tests. A
// whole suite is the workload, so these are plain measured passes, not tinybench samples.

import { TESTS, runTest, type Part, type RunResult } from "../runner.js";
import { GOAL_SPEEDUP, GOAL_WALL_S, GOAL_WALL_S_PER_SEED, LAB_PART_REAL_S, LAB_TOTAL_CPU_S, LAB_TOTAL_REAL_S, NOT_IN_LAB_SAMPLE } from "./lab.js";
import type { Figure, Progress } from "./types.js";

export interface SuiteOptions {
  readonly seeds: number;
  /** Only these tests (default: all); for quick runs. */
  readonly tests?: readonly string[];
}

interface Sums {
  runs: number;
  failed: number;
  virtualMs: number;
  wallMs: number;
  cpuUs: number;
  rpcs: number;
  /** Wall ms of the tests the lab's sample output also lists (for the same-tests ratio). */
  labTestsWallMs: number;
}

export interface PartRow extends Sums {
  readonly part: Part | "total";
}

export interface SuiteResult {
  readonly seeds: number;
  readonly tests: number;
  readonly parts: PartRow[];
  readonly perSeed: { seed: number; wallMs: number; cpuUs: number; failed: number }[];
  readonly failures: { test: string; seed: number; message: string }[];
  /** Wall ms per test summed over the seeds, slowest first. */
  readonly perTest: { test: string; wallMs: number; cpuUs: number }[];
  /** Per suite iteration (means over the seeds). */
  readonly wallSPerSuite: number;
  readonly cpuSPerSuite: number;
  readonly speedupVsLabReal: number;
  readonly cpuRatioVsLab: number;
}

const PARTS: readonly Part[] = ["3A", "3B", "3C", "3D"];

function zero(): Sums {
  return { runs: 0, failed: 0, virtualMs: 0, wallMs: 0, cpuUs: 0, rpcs: 0, labTestsWallMs: 0 };
}

export async function measureSuite(options: SuiteOptions, progress: Progress): Promise<{ result: SuiteResult; figure: Figure }> {
  const seeds = options.seeds;
  const tests = options.tests === undefined ? TESTS : TESTS.filter((t) => options.tests?.includes(t.name));
  const byPart = new Map<Part, Sums>(PARTS.map((p) => [p, zero()]));
  const perSeed: SuiteResult["perSeed"] = [];
  const failures: SuiteResult["failures"] = [];
  const perTestMap = new Map<string, { test: string; wallMs: number; cpuUs: number }>(tests.map((t) => [t.name, { test: t.name, wallMs: 0, cpuUs: 0 }]));
  for (let seed = 1; seed <= seeds; seed++) {
    progress(`suite: seed ${seed}/${seeds} (${tests.length} tests)…`);
    const seedWall0 = performance.now();
    const seedCpu0 = process.cpuUsage();
    let failed = 0;
    for (const t of tests) {
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      const r: RunResult = await runTest(t.name, { seed });
      const wallMs = performance.now() - wall0;
      const cpu = process.cpuUsage(cpu0);
      const s = byPart.get(t.part) as Sums;
      s.runs++;
      s.virtualMs += r.virtualMs;
      s.wallMs += wallMs;
      s.cpuUs += cpu.user + cpu.system;
      s.rpcs += r.rpcs;
      const pt = perTestMap.get(t.name);
      if (pt !== undefined) {
        pt.wallMs += wallMs;
        pt.cpuUs += cpu.user + cpu.system;
      }
      if (!NOT_IN_LAB_SAMPLE.has(t.name)) s.labTestsWallMs += wallMs;
      if (!r.ok) {
        s.failed++;
        failed++;
        failures.push({ test: t.name, seed, message: r.failure?.message ?? "failed" });
      }
    }
    const seedCpu = process.cpuUsage(seedCpu0);
    perSeed.push({ seed, wallMs: performance.now() - seedWall0, cpuUs: seedCpu.user + seedCpu.system, failed });
  }

  const parts: PartRow[] = PARTS.filter((p) => (byPart.get(p) as Sums).runs > 0).map((p) => ({ part: p, ...(byPart.get(p) as Sums) }));
  const total = zero();
  for (const p of parts) for (const k of Object.keys(total) as (keyof Sums)[]) total[k] += p[k];
  parts.push({ part: "total", ...total });
  const wallSPerSuite = total.wallMs / 1000 / seeds;
  const cpuSPerSuite = total.cpuUs / 1e6 / seeds;
  const whole = tests.length === TESTS.length;
  const labReal = whole ? LAB_TOTAL_REAL_S : Number.NaN;
  const speedupVsLabReal = labReal / (total.labTestsWallMs / 1000 / seeds);
  const cpuRatioVsLab = LAB_TOTAL_CPU_S / cpuSPerSuite;
  const perTest = [...perTestMap.values()].sort((a, b) => b.wallMs - a.wallMs);
  const result: SuiteResult = { seeds, tests: tests.length, parts, perSeed, failures, perTest, wallSPerSuite, cpuSPerSuite, speedupVsLabReal, cpuRatioVsLab };
  return { result, figure: suiteFigure(result, whole) };
}

function suiteFigure(r: SuiteResult, whole: boolean): Figure {
  const n = r.seeds;
  const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "-");
  const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-");
  const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "-");
  const rows = r.parts.map((p) => {
    const labReal = p.part === "total" ? (whole ? LAB_TOTAL_REAL_S : Number.NaN) : LAB_PART_REAL_S[p.part];
    const speedup = labReal / (p.labTestsWallMs / 1000 / n);
    return [
      p.part,
      `${p.runs / n}${p.failed > 0 ? ` (${p.failed} failed)` : ""}`,
      f1(p.virtualMs / 1000 / n),
      f3(p.wallMs / 1000 / n),
      f3(p.cpuUs / 1e6 / n),
      Math.round(p.rpcs / (p.wallMs / 1000)).toLocaleString("en-US"),
      f1(labReal),
      `${f1(speedup)}×`,
    ];
  });
  const worst = Math.max(...r.perSeed.map((s) => s.wallMs)) / 1000;
  const goals = whole
    ? [
        {
          text: `whole suite under ${GOAL_WALL_S} s wall on one core`,
          met: r.wallSPerSuite < GOAL_WALL_S && worst < GOAL_WALL_S,
          detail: `${f2(r.wallSPerSuite)} s per suite (mean of ${n} seed${n === 1 ? "" : "s"}; slowest seed ${f2(worst)} s)`,
        },
        {
          text: `whole suite at most ${GOAL_WALL_S_PER_SEED} s wall per seed on one thread (issue 13)`,
          met: r.wallSPerSuite <= GOAL_WALL_S_PER_SEED,
          detail: `${f3(r.wallSPerSuite)} s per seed (mean of ${n}); slowest test ${r.perTest[0]?.test ?? "-"}, ${f1((100 * (r.perTest[0]?.wallMs ?? 0)) / (suiteWallMs(r) || 1))}% of it`,
        },
        {
          text: `more than ${GOAL_SPEEDUP}× faster than the lab's real time (${LAB_TOTAL_REAL_S.toFixed(0)} s)`,
          met: r.speedupVsLabReal > GOAL_SPEEDUP,
          detail: `${f1(r.speedupVsLabReal)}× on the tests the lab's sample lists; CPU ${f2(r.cpuSPerSuite)} s vs the lab's ~${LAB_TOTAL_CPU_S} s = ${f1(r.cpuRatioVsLab)}× less`,
        },
      ]
    : [];
  const notes = [
    "Per suite iteration (sums over the seeds / seeds). One JS thread: tests run one after another in this process, tracing off, invariant checker on.",
    "lab real s: the 2024 handout's `ok` time per part (no -race); whole A–D ≈ 469 s real, ~60 s CPU.",
    `× lab: lab real time / our wall time for the same tests (the lab's sample has no line for ${[...NOT_IN_LAB_SAMPLE].join(", ")}; our totals include them, the ratio does not).`,
    "CPU includes V8's GC and compiler threads, so it can exceed wall time on this 2-core machine.",
  ];
  if (r.failures.length > 0) {
    notes.push(
      `FAILED runs (${r.failures.length}): ${r.failures
        .slice(0, 5)
        .map((f) => `${f.test} seed ${f.seed}: ${f.message}`)
        .join("; ")}`,
    );
  }
  return {
    id: "suite",
    title: `1. The lab suite: ${r.tests} tests × seeds 1..${n}`,
    tables: [
      { columns: ["part", "tests", "virtual s", "wall s", "CPU s", "RPCs/wall s", "lab real s", "× lab"], rows },
      {
        columns: ["slowest tests", "wall ms per seed", "CPU ms per seed", "share of suite wall"],
        rows: r.perTest.slice(0, 5).map((t) => [t.test, f1(t.wallMs / n), f1(t.cpuUs / 1000 / n), `${f1((100 * t.wallMs) / (suiteWallMs(r) || 1))}%`]),
      },
      {
        columns: ["seed", "wall s", "CPU s", "failed"],
        rows: r.perSeed.map((s) => [s.seed, f3(s.wallMs / 1000), f3(s.cpuUs / 1e6), s.failed]),
      },
    ],
    goals,
    notes,
    data: r,
  };
}

/** The suite's total wall ms over all seeds (the sum of its tests'). */
function suiteWallMs(r: SuiteResult): number {
  return r.perTest.reduce((sum, t) => sum + t.wallMs, 0);
}
