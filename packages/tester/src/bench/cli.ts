#!/usr/bin/env node
// `pnpm bench`: raftlab's benchmarks (issue 5). Runs the chosen figures in order, prints each as a
// table with its ratios and goals, and optionally writes everything as JSON. See docs/performance.md.

import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseBenchArgs, UsageError, USAGE, type BenchArgs } from "./args.js";
import { measureBatch } from "./batch.js";
import { measureCore } from "./core.js";
import { measureIsolation } from "./isolation.js";
import { measureLogviz } from "./logviz.js";
import { measurePersist } from "./persist.js";
import { formatMachine, machineInfo } from "./machine.js";
import { colorEnabled, EXIT } from "@raftlab/raft/terminal";
import { makePaint, renderFigure, renderFigureMarkdown } from "./render.js";
import { measureSuite } from "./suite.js";
import type { Figure, FigureId, Progress } from "./types.js";

export interface BenchIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** Colour for `out` (the tables) and for `err` (progress), each decided for its own stream. */
  readonly colour: boolean;
  readonly errColour?: boolean;
}

/** The workloads for a full run and for --quick. */
function sizes(a: BenchArgs): { coreCommands: number; coreTimeMs: number; logvizLines: number; batchIterations: number; isolationRounds: number } {
  return a.quick
    ? { coreCommands: 200, coreTimeMs: 200, logvizLines: 100_000, batchIterations: 1, isolationRounds: 1 }
    : { coreCommands: 500, coreTimeMs: 1500, logvizLines: 1_000_000, batchIterations: 20, isolationRounds: 9 };
}

async function runFigure(id: FigureId, a: BenchArgs, progress: Progress): Promise<{ figure: Figure; failedRuns: number }> {
  const s = sizes(a);
  switch (id) {
    case "suite": {
      const { result, figure } = await measureSuite({ seeds: a.seeds }, progress);
      return { figure, failedRuns: result.failures.length };
    }
    case "core":
      return { figure: (await measureCore({ commands: s.coreCommands, timeMs: s.coreTimeMs }, progress)).figure, failedRuns: 0 };
    case "logviz":
      return { figure: await measureLogviz(s.logvizLines, progress, a.quick), failedRuns: 0 };
    case "batch":
      return { figure: await measureBatch(s.batchIterations, [1, 2], progress), failedRuns: 0 };
    case "persist":
      return { figure: measurePersist(a.quick ? { rounds: 3, steps: 50 } : {}, progress).figure, failedRuns: 0 };
    case "isolation":
      return await measureIsolation({ rounds: s.isolationRounds, seed: 1 }, progress);
  }
}

/** Runs the bench; returns the exit code. */
export async function main(argv: readonly string[], io: BenchIo): Promise<number> {
  let a: BenchArgs;
  try {
    a = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bench: ${err.message} (see --help)\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
  if (a.help) {
    io.out(USAGE + "\n");
    return EXIT.OK;
  }
  const paint = makePaint(io.colour);
  const machine = machineInfo();
  const command = ["pnpm bench", ...argv].join(" ");
  const started = performance.now();
  const errPaint = makePaint(io.errColour ?? false);
  const progress: Progress = (line) => io.err(errPaint.dim(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`) + "\n");
  io.out(
    `${paint.bold("raftlab bench")}: ${command}\nmachine: ${formatMachine(machine)}\n${a.quick ? `${paint.warn("--quick: smoke-run workloads, not the published figures")}\n` : ""}\n`,
  );

  const figures: Figure[] = [];
  let failedRuns = 0;
  for (const id of a.only) {
    const r = await runFigure(id, a, progress);
    failedRuns += r.failedRuns;
    figures.push(r.figure);
    io.out(renderFigure(r.figure, paint) + "\n\n");
  }
  const elapsedS = (performance.now() - started) / 1000;
  const goals = figures.flatMap((f) => f.goals.map((g) => ({ figure: f.id, ...g })));
  const missing = figures.filter((f) => f.notMeasured !== undefined);
  const met = goals.filter((g) => g.met).length;
  io.out(
    `${goals.length > 0 ? `goals: ${met} of ${goals.length} met` : "goals: none checked"}` +
      `${missing.length > 0 ? `; not measured: ${missing.map((f) => f.id).join(", ")}` : ""}; bench took ${elapsedS.toFixed(1)} s\n`,
  );
  if (failedRuns > 0) io.out(paint.bad(`${failedRuns} lab run(s) failed: these figures measure a failing suite\n`));
  if (a.markdown !== null) {
    const md = [
      `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`${command}\` on ${formatMachine(machine)}.`,
      "",
      ...figures.map((f) => renderFigureMarkdown(f) + "\n"),
    ].join("\n");
    writeFileSync(a.markdown, md);
    io.err(`wrote ${a.markdown}\n`);
  }
  if (a.json !== null) {
    const doc = {
      date: new Date().toISOString(),
      command,
      machine,
      quick: a.quick,
      seeds: a.seeds,
      elapsedS,
      goals,
      figures: Object.fromEntries(
        figures.map((f) => [f.id, { title: f.title, ...(f.notMeasured !== undefined ? { notMeasured: f.notMeasured } : {}), data: f.data }]),
      ),
    };
    writeFileSync(a.json, JSON.stringify(doc, null, 2) + "\n");
    io.err(`wrote ${a.json}\n`);
  }
  return failedRuns > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    colour: colorEnabled(process.stdout),
    errColour: colorEnabled(process.stderr),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.FAIL;
    },
  );
}
