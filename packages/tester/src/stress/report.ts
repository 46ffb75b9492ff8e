// The JSON report of a stress run (the input of `raftlab triage` and `raftlab merge`, which recognise it
// by its format) and its JUnit form. Its runs are the batch runner's RunRecords plus `goTest`, checked by
// the batch's own record validator.

import { readFileSync } from "node:fs";
import { checkRecord, formatJUnit, readLogTail, ReportError } from "../runs/report.js";
import type { RunRecord } from "../runs/record.js";
import type { Shard } from "../runs/runlist.js";
import { MAX_REPORT_WORKERS, readCount, readDurationMs, readSeed, readShard } from "../runs/report-fields.js";
import { rerunCommand } from "./command.js";
import type { StressRun } from "./results.js";

export const STRESS_REPORT_FORMAT = "raftlab-stress-report";
export const STRESS_REPORT_VERSION = 1;

export interface StressReport {
  readonly format: typeof STRESS_REPORT_FORMAT;
  readonly version: typeof STRESS_REPORT_VERSION;
  /** The command as the user gave it (re-run commands are built from it). */
  readonly command: readonly string[];
  /** The command each iteration ran (with what stress added, such as -count=1). */
  readonly ran: readonly string[];
  /** Where it ran. */
  readonly cwd: string;
  /** Environment variables repeated in re-run commands. */
  readonly env: Readonly<Record<string, string>>;
  readonly splitTests: boolean;
  readonly shard: Shard | null;
  /** Folder of the saved outputs (`<iteration>.log`), as given on the command line. */
  readonly outDir: string | null;
  readonly workers: number;
  readonly startedAt: string;
  readonly elapsedMs: number;
  /** Stopped early (Ctrl-C, --fail-fast, --max-failures). */
  readonly interrupted: boolean;
  readonly iterations: number;
  readonly failedIterations: number;
  /** Iterations whose output was cut to --max-output, and how many bytes were dropped from each. */
  readonly cutOutputs: readonly { readonly iteration: number; readonly droppedBytes: number }[];
  /**
   * Iterations that left processes running (started in their own session, daemons, or still running at
   * a timeout), and how many of them raftlab killed. Absent in reports written before it was counted.
   */
  readonly killedProcesses: readonly { readonly iteration: number; readonly killed: number }[];
  readonly runs: readonly StressRun[];
  readonly omittedPassingRuns: number;
}

export function serialiseStressReport(report: StressReport): string {
  return `${JSON.stringify(report, null, 1)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new ReportError(`${where} must be a list of strings`);
  return v as string[];
}

/** Whether parsed JSON is a stress report (it may still be invalid). */
export function looksLikeStressReport(data: unknown): boolean {
  return isObject(data) && data["format"] === STRESS_REPORT_FORMAT;
}

/** Whether a file (or a folder's report.json) is a stress report, without failing on anything else. */
export function isStressReportFile(path: string): boolean {
  try {
    const head = readFileSync(path, "utf8").slice(0, 200);
    return head.includes(`"format": "${STRESS_REPORT_FORMAT}"`) || head.includes(`"format":"${STRESS_REPORT_FORMAT}"`);
  } catch {
    return false;
  }
}

export function parseStressReport(text: string, name: string): StressReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, " ").replace(/, ".*" is not valid JSON$/, "");
    throw new ReportError(`${name} is not JSON (${why}); give a report written by raftlab stress --json`);
  }
  if (!isObject(data) || !looksLikeStressReport(data)) throw new ReportError(`${name} is not a raftlab stress report`);
  if (data["version"] !== STRESS_REPORT_VERSION) {
    throw new ReportError(`${name} has stress report version ${String(data["version"])}; this raftlab reads ${STRESS_REPORT_VERSION}`);
  }
  const runsData = data["runs"];
  if (!Array.isArray(runsData)) throw new ReportError(`${name}: "runs" is not an array`);
  const runs: StressRun[] = runsData.map((r, i) => {
    const where = `${name}: runs[${i}]`;
    const base = checkRecord(r, where);
    const goTest = isObject(r) ? r["goTest"] : null;
    if (goTest !== null && goTest !== undefined && typeof goTest !== "string") throw new ReportError(`${where}.goTest must be a string or null`);
    return { ...base, goTest: typeof goTest === "string" ? goTest : null };
  });
  const count = (k: string, max?: number): number => readCount(data[k], `${name}: ${k}`, max);
  const env: Record<string, string> = {};
  const envData = data["env"];
  if (isObject(envData)) for (const [k, v] of Object.entries(envData)) if (typeof v === "string") env[k] = v;
  const cut = Array.isArray(data["cutOutputs"]) ? data["cutOutputs"] : [];
  const killed = Array.isArray(data["killedProcesses"]) ? data["killedProcesses"] : [];
  return {
    format: STRESS_REPORT_FORMAT,
    version: STRESS_REPORT_VERSION,
    command: strings(data["command"], `${name}: command`),
    ran: strings(data["ran"] ?? data["command"], `${name}: ran`),
    cwd: typeof data["cwd"] === "string" ? data["cwd"] : ".",
    env,
    splitTests: data["splitTests"] === true,
    shard: readShard(data["shard"], `${name}: shard`),
    outDir: typeof data["outDir"] === "string" ? data["outDir"] : null,
    workers: count("workers", MAX_REPORT_WORKERS),
    startedAt: typeof data["startedAt"] === "string" ? data["startedAt"] : "",
    elapsedMs: readDurationMs(data["elapsedMs"], `${name}: elapsedMs`),
    interrupted: data["interrupted"] === true,
    iterations: count("iterations"),
    failedIterations: count("failedIterations"),
    cutOutputs: cut.map((c: unknown, i) => {
      const where = `${name}: cutOutputs[${i}]`;
      if (!isObject(c)) throw new ReportError(`${where} must be {"iteration", "droppedBytes"}`);
      return { iteration: readSeed(c["iteration"], `${where}.iteration`), droppedBytes: readCount(c["droppedBytes"], `${where}.droppedBytes`) };
    }),
    killedProcesses: killed.map((k: unknown, i) => {
      const where = `${name}: killedProcesses[${i}]`;
      if (!isObject(k)) throw new ReportError(`${where} must be {"iteration", "killed"}`);
      return { iteration: readSeed(k["iteration"], `${where}.iteration`), killed: readCount(k["killed"], `${where}.killed`) };
    }),
    runs,
    omittedPassingRuns: count("omittedPassingRuns"),
  };
}

export function readStressReport(path: string): StressReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ReportError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseStressReport(text, path);
}

/** The re-run command of one failing run of a report. */
export function rerunOf(report: Pick<StressReport, "command" | "env">, run: StressRun): string {
  return rerunCommand(report.command, run.goTest ?? (run.ok ? null : run.test), run.seed, report.env);
}

/** JUnit XML: one <testsuite> per test, one <testcase> per iteration, the saved output's end in <system-out>. */
export function formatStressJUnit(report: StressReport): string {
  const outDir = report.outDir;
  const byRun = new Map<RunKey, StressRun>(report.runs.map((r) => [key(r), r]));
  return formatJUnit(report.runs, {
    impl: null,
    outDir,
    name: "raftlab stress",
    caseName: (r) => `${r.test} iteration=${r.seed}`,
    replayOf: (r) => {
      const s = byRun.get(key(r));
      return s === undefined ? "" : rerunOf(report, s);
    },
    ...(outDir !== null ? { logOf: (r: RunRecord) => readLogTail(outDir, r) } : {}),
  });
}

type RunKey = string;
function key(r: { test: string; seed: number }): RunKey {
  return `${r.test}\u0000${r.seed}`;
}
