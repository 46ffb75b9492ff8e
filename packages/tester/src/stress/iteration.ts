// Stress as a run kind: what the shared run loop (runs/loop.ts) calls. Each round is a list of
// iteration numbers (sharded); each run is one iteration of the command, its output read into
// per-test results, saved when it failed (or with --keep-all), and shown as one progress line.

import { join } from "node:path";
import type { OutputFolder } from "../runs/folder.js";
import type { RunKindDriver, RunLoop, RunVerdict } from "../runs/loop.js";
import type { Progress } from "../runs/progress.js";
import { loopRoundIterations, shardRunList, type Shard } from "../runs/runlist.js";
import { GoTestParser } from "./gotest.js";
import { runIteration, type IterationOutcome } from "./process.js";
import { iterationResults, stressRun, type StressRun } from "./results.js";
import type { StressCommand } from "./command.js";

/** --loop rounds double, as the batch runner's do: each round short, so Ctrl-C loses little. */
export const LOOP_GROWTH = 2;

/** The stress options an iteration needs (runStress's StressOptions has them all). */
export interface IterationSettings {
  readonly command: StressCommand;
  readonly iterations: number;
  readonly loop: boolean;
  readonly shard: Shard | null;
  readonly timeoutSec: number;
  readonly maxOutputBytes: number;
  readonly outDir: string;
  readonly keepAll: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Called with each finished iteration's results. */
  readonly onIteration?: (runs: readonly StressRun[]) => void;
}

export class StressIterations implements RunKindDriver<number> {
  iterationsDone = 0;
  failedIterations = 0;
  /** Iterations whose saved output lost its head to --max-output. */
  readonly cutOutputs: { iteration: number; droppedBytes: number }[] = [];
  /** Iterations that left processes behind, and how many were killed. */
  readonly killedProcesses: { iteration: number; killed: number }[] = [];
  private nextIteration = 1;

  constructor(
    private readonly options: IterationSettings,
    /** The command shortened: the progress label and the whole-iteration test name. */
    private readonly label: string,
    private readonly loop: RunLoop<StressRun>,
    private readonly progress: Progress,
    /** The output folder, made and locked for the whole run (runs/folder.ts); outputs go in atomically. */
    private readonly folder: OutputFolder,
  ) {}

  planRound(round: number): number[] {
    const count = this.options.loop ? loopRoundIterations(this.options.iterations, LOOP_GROWTH, round, 1) : this.options.iterations;
    let list = Array.from({ length: count }, (_, i) => this.nextIteration + i);
    this.nextIteration += count;
    if (this.options.shard !== null) list = shardRunList(list, this.options.shard);
    this.progress.startRound(round, new Map([[this.label, list.length]]));
    return list;
  }

  async executeOne(iteration: number): Promise<RunVerdict> {
    const o = this.options;
    const parser = new GoTestParser();
    const request = {
      argv: o.command.argv,
      cwd: o.cwd,
      env: o.env,
      iteration,
      timeoutMs: o.timeoutSec * 1000,
      maxOutputBytes: o.maxOutputBytes,
      onLine: (line: string) => parser.line(line),
    };
    const outcome = await runIteration(request, this.loop.stopSignal);
    if (outcome.killedProcesses > 0) this.killedProcesses.push({ iteration, killed: outcome.killedProcesses });
    if (outcome.cancelled && !outcome.timedOut) return "cancelled";
    const context = { iteration, label: this.label, splitTests: o.command.splitTests, timeoutSec: o.timeoutSec, log: null, nowMs: performance.now() };
    const probe = iterationResults(parser, outcome, context);
    const log = !probe.ok || o.keepAll ? this.saveOutput(iteration, outcome) : null;
    const results = log === null ? probe.runs : probe.runs.map((r) => ({ ...r, log }));
    this.iterationsDone += 1;
    if (!probe.ok) this.failedIterations += 1;
    for (const r of results) this.loop.results.add(iteration, r);
    this.showIteration(iteration, results, log, outcome.wallMs);
    o.onIteration?.(results);
    return probe.ok ? "passed" : "failed";
  }

  /** Progress counts iterations, all under the command's label; a FAIL line names the failing test. */
  private showIteration(iteration: number, results: readonly StressRun[], log: string | null, wallMs: number): void {
    const first = results.find((r) => !r.ok);
    const shown: StressRun =
      first === undefined
        ? stressRun({ iteration, log }, this.label, wallMs, null)
        : { ...first, test: this.label, message: first.test === this.label ? first.message : `${first.test}: ${first.message ?? ""}` };
    this.progress.result(shown, log === null || first === undefined ? null : join(this.options.outDir, log));
  }

  /** Saves the iteration's output as `<iteration>.log`, saying so at the top when --max-output cut it. */
  private saveOutput(iteration: number, outcome: IterationOutcome): string {
    const { text, dropped } = outcome.output.text(this.options.command.splitTests);
    const name = `${iteration}.log`;
    const note =
      dropped > 0
        ? `… raftlab stress: the first ${dropped} bytes of this iteration's output were cut; the last ${Math.round(this.options.maxOutputBytes / 1048576)} MB (--max-output) are kept below\n`
        : "";
    this.folder.write(name, note + text);
    if (dropped > 0) this.cutOutputs.push({ iteration, droppedBytes: dropped });
    return name;
  }
}
