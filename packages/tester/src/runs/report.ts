// Reports: a JSON report that lists every run (the input of `triage` and `merge`) and JUnit XML for
// CI systems.

import { readFileSync } from "node:fs";
import type { FailureKind, RunRecord } from "./record.js";
import { replayCommand } from "@raftlab/raft/terminal";
import type { Shard } from "./runlist.js";
import type { ReplayCheck } from "./replay-check.js";
import { ReportError } from "./report-error.js";
import { MAX_DURATION_MS, MAX_REPORT_WORKERS, readCount, readDurationMs, readInt, readIterations, readNumber, readSeed, readShard } from "./report-fields.js";
import { MAX_SEED } from "./runlist.js";
import { parseShrunkExamples, type ShrunkExample } from "./shrunk.js";

export const REPORT_FORMAT = "raftlab-batch-report";
export const REPORT_VERSION = 1;

export interface BatchReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  /** The `--impl` module the runs used, or null for raftlab's own Raft. */
  readonly impl: string | null;
  readonly shard: Shard | null;
  /** Directory holding the saved traces and logs the runs name, as given on the command line. */
  readonly outDir: string | null;
  readonly workers: number;
  readonly startedAt: string;
  readonly elapsedMs: number;
  /** The batch was stopped (Ctrl-C or --fail-fast) before running its whole list. */
  readonly interrupted: boolean;
  readonly runs: readonly RunRecord[];
  /** Passing runs that ran but are not listed in `runs` (the cap on a very long --loop). */
  readonly omittedPassingRuns: number;
  /** Replays of each failure group's example run and whether they reproduced it exactly. */
  readonly replayChecks: readonly ReplayCheck[];
  /** Why the batch could not run at all (an --impl that does not load); absent when it ran. */
  readonly error?: string;
  /** What the batch was asked to run (absent in reports of older raftlab versions and merged reports). */
  readonly batch?: BatchMeta;
  /** `--shrink`: each failure group's example shrunk (runs/shrunk.ts); absent without --shrink. */
  readonly shrinks?: readonly ShrunkExample[];
}

/** The options that decide which runs a batch makes and how each is judged: what merge compares. */
export interface BatchMeta {
  readonly tests: readonly string[];
  /** Iterations per test (the first round's with --loop). */
  readonly iterations: number;
  readonly seedStart: number;
  readonly sequential: boolean;
  readonly loop: boolean;
  /** Wall-clock limit per run (--timeout): a replay command carries it. */
  readonly timeoutSec: number;
  /** Memory limit per run (--max-memory), MiB. */
  readonly maxMemoryMb: number;
  /** --strict: warnings failed runs (absent when not set, and in older reports). */
  readonly strict?: boolean;
}

/** Reads a BatchMeta written by this module; throws ReportError naming `where` if it is malformed. */
export function parseBatchMeta(v: unknown, where: string): BatchMeta {
  const bad = (what: string): never => {
    throw new ReportError(`${where}: batch.${what} is missing or malformed`);
  };
  if (!isObject(v)) return bad("(object)");
  const tests = v["tests"];
  if (!Array.isArray(tests) || !tests.every((t) => typeof t === "string")) bad("tests");
  if (v["iterations"] === undefined || v["seedStart"] === undefined || v["timeoutSec"] === undefined || v["maxMemoryMb"] === undefined) {
    bad(["iterations", "seedStart", "timeoutSec", "maxMemoryMb"].find((k) => v[k] === undefined) ?? "");
  }
  return {
    tests: tests as string[],
    iterations: readIterations(v["iterations"], `${where}: batch.iterations`),
    seedStart: readInt(v["seedStart"], `${where}: batch.seedStart`, 0, MAX_SEED),
    sequential: v["sequential"] === true,
    loop: v["loop"] === true,
    timeoutSec: readNumber(v["timeoutSec"], `${where}: batch.timeoutSec`, 0, MAX_DURATION_MS / 1000),
    maxMemoryMb: readInt(v["maxMemoryMb"], `${where}: batch.maxMemoryMb`, 1, 1 << 30),
    ...(v["strict"] === true ? { strict: true } : {}),
  };
}

export { ReportError };

export function serialiseReport(report: BatchReport): string {
  return `${JSON.stringify(report, null, 1)}\n`;
}

const KINDS: readonly FailureKind[] = ["fail", "violation", "timeout", "crash"];

/** Reads and validates a JSON report; throws ReportError with a one-line reason. */
export function readReport(path: string): BatchReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ReportError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseReport(text, path);
}

export function parseReport(text: string, name: string): BatchReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the start of the input, which may span lines; keep the error to one line.
    const why = (e as Error).message.replace(/\s+/g, " ").replace(/, ".*" is not valid JSON$/, "");
    throw new ReportError(`${name} is not JSON (${why}); give a report written by raftlab batch --json`);
  }
  if (!isObject(data) || data["format"] !== REPORT_FORMAT) {
    throw new ReportError(`${name} is not a raftlab batch report (no "format": "${REPORT_FORMAT}")`);
  }
  if (data["version"] !== REPORT_VERSION) {
    throw new ReportError(`${name} has report version ${String(data["version"])}; this raftlab reads ${REPORT_VERSION}`);
  }
  const runs = data["runs"];
  if (!Array.isArray(runs)) throw new ReportError(`${name}: "runs" is not an array`);
  const checked = runs.map((r, i) => checkRecord(r, `${name}: runs[${i}]`));
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    impl: typeof data["impl"] === "string" ? data["impl"] : null,
    shard: readShard(data["shard"], `${name}: shard`),
    outDir: typeof data["outDir"] === "string" ? data["outDir"] : null,
    workers: readCount(data["workers"], `${name}: workers`, MAX_REPORT_WORKERS),
    startedAt: typeof data["startedAt"] === "string" ? data["startedAt"] : "",
    elapsedMs: readDurationMs(data["elapsedMs"], `${name}: elapsedMs`),
    interrupted: data["interrupted"] === true,
    runs: checked,
    omittedPassingRuns: readCount(data["omittedPassingRuns"], `${name}: omittedPassingRuns`),
    replayChecks: Array.isArray(data["replayChecks"]) ? data["replayChecks"].filter(isReplayCheck) : [],
    ...(typeof data["error"] === "string" ? { error: data["error"] } : {}),
    ...(data["batch"] !== undefined ? { batch: parseBatchMeta(data["batch"], name) } : {}),
    ...optionalShrinks(data["shrinks"]),
  };
}

function optionalShrinks(v: unknown): { shrinks?: ShrunkExample[] } {
  const shrinks = parseShrunkExamples(v);
  return shrinks === undefined ? {} : { shrinks };
}

function isReplayCheck(v: unknown): v is ReplayCheck {
  return (
    isObject(v) &&
    typeof v["test"] === "string" &&
    typeof v["seed"] === "number" &&
    Number.isSafeInteger(v["seed"]) &&
    v["seed"] >= 0 &&
    v["seed"] <= MAX_SEED &&
    typeof v["signature"] === "string" &&
    (v["verdict"] === "same" || v["verdict"] === "differs" || v["verdict"] === "skipped") &&
    typeof v["detail"] === "string"
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The optional `warnings` of a run: [{kind, count}]. */
function checkWarnings(v: unknown, where: string): { warnings?: { kind: string; count: number }[] } {
  if (v === undefined || v === null) return {};
  const bad = (): never => {
    throw new ReportError(`${where}.warnings must be a list of {kind, count}`);
  };
  if (!Array.isArray(v)) return bad();
  const list = v.map((w: unknown) => {
    if (!isObject(w) || typeof w["kind"] !== "string" || typeof w["count"] !== "number" || !Number.isSafeInteger(w["count"]) || w["count"] < 0) return bad();
    return { kind: w["kind"] as string, count: w["count"] as number };
  });
  return list.length === 0 ? {} : { warnings: list };
}

/** Validates one run of a report (also used by raftlab stress, whose reports list the same records). */
export function checkRecord(v: unknown, where: string): RunRecord {
  if (!isObject(v)) throw new ReportError(`${where} is not an object`);
  const str = (k: string): string => {
    const x = v[k];
    if (typeof x !== "string") throw new ReportError(`${where}.${k} must be a string`);
    return x;
  };

  const optStr = (k: string): string | null => {
    const x = v[k];
    if (x === null || x === undefined) return null;
    if (typeof x !== "string") throw new ReportError(`${where}.${k} must be a string or null`);
    return x;
  };
  /** A count or a duration that may be unknown (null). */
  const optNum = (k: string, read: (x: unknown, w: string) => number): number | null => {
    const x = v[k];
    return x === null || x === undefined ? null : read(x, `${where}.${k}`);
  };
  const count = (x: unknown, w: string): number => readCount(x, w);
  const ok = v["ok"];
  if (typeof ok !== "boolean") throw new ReportError(`${where}.ok must be true or false`);
  const kind = optStr("kind");
  if (kind !== null && !KINDS.includes(kind as FailureKind)) {
    throw new ReportError(`${where}.kind must be one of ${KINDS.join(", ")}`);
  }
  if (!ok && kind === null) throw new ReportError(`${where} failed but has no kind`);
  return {
    test: str("test"),
    seed: readSeed(v["seed"], `${where}.seed`),
    ok,
    signature: optStr("signature"),
    kind: kind as FailureKind | null,
    message: optStr("message"),
    invariant: optStr("invariant"),
    virtualMs: optNum("virtualMs", readDurationMs),
    wallMs: readNumber(v["wallMs"], `${where}.wallMs`, 0, MAX_DURATION_MS),
    rpcs: optNum("rpcs", count),
    bytes: optNum("bytes", count),
    cmds: optNum("cmds", count),
    peers: optNum("peers", count),
    trace: optStr("trace"),
    log: optStr("log"),
    traceTruncated: v["traceTruncated"] === true,
    ...checkWarnings(v["warnings"], where),
  };
}

// ---------------------------------------------------------------------------------------------------
// JUnit XML

/** Cap on the text put in one failure element, so a report stays under CI upload limits. */
export const JUNIT_MAX_TEXT = 8 * 1024;

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids most C0 controls: this finds them to replace
      .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}\n… (${s.length - max} more characters)`;
}

export interface JUnitOptions {
  readonly impl: string | null;
  /** The batch ran with --strict: replay commands carry it. */
  readonly strict?: boolean;
  readonly outDir: string | null;
  readonly name?: string;
  /** The saved output of a failing run, for its <system-out> (see `readLogTail`); none when absent. */
  readonly logOf?: (run: RunRecord) => string | null;
  /** The command that reproduces a failing run (default: `raftlab run … --seed …`). */
  readonly replayOf?: (run: RunRecord) => string;
  /** A testcase's name (default: `<test> seed=<seed>`). */
  readonly caseName?: (run: RunRecord) => string;
}

/** Output kept per failing run in <system-out>: the end of its `.log`, where the failure is. */
export const JUNIT_MAX_OUTPUT = 4 * 1024;

/** The last `max` characters of a saved `.log`, or null if it cannot be read. */
export function readLogTail(outDir: string, run: RunRecord, max = JUNIT_MAX_OUTPUT): string | null {
  if (run.log === null) return null;
  try {
    const text = readFileSync(`${outDir}/${run.log}`, "utf8");
    return text.length <= max ? text : `… (${text.length - max} earlier characters in ${run.log})\n${text.slice(-max)}`;
  } catch {
    return null;
  }
}

/**
 * One <testsuite> per test, one <testcase> per run (`<test> seed=<s>`); a failing run has a
 * <failure> whose message is the failure message and whose text adds the signature, the replay
 * command and where its trace was saved.
 */
export function formatJUnit(runs: readonly RunRecord[], options: JUnitOptions): string {
  const byTest = new Map<string, RunRecord[]>();
  for (const r of runs) {
    let list = byTest.get(r.test);
    if (list === undefined) byTest.set(r.test, (list = []));
    list.push(r);
  }
  const secs = (ms: number): string => (ms / 1000).toFixed(3);
  const failures = runs.filter((r) => !r.ok).length;
  const totalMs = runs.reduce((s, r) => s + r.wallMs, 0);
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(options.name ?? "raftlab batch")}" tests="${runs.length}" failures="${failures}" errors="0" time="${secs(totalMs)}">`,
  ];
  for (const [test, list] of byTest) {
    const f = list.filter((r) => !r.ok).length;
    const t = list.reduce((s, r) => s + r.wallMs, 0);
    lines.push(`  <testsuite name="${escapeXml(test)}" tests="${list.length}" failures="${f}" errors="0" skipped="0" time="${secs(t)}">`);
    for (const r of list) {
      const open = `    <testcase name="${escapeXml(options.caseName?.(r) ?? `${r.test} seed=${r.seed}`)}" classname="raftlab.${escapeXml(r.test)}" time="${secs(r.wallMs)}"`;
      if (r.ok) {
        lines.push(`${open}/>`);
        continue;
      }
      const message = r.message ?? "";
      const body = [
        message,
        "",
        `signature: ${r.signature ?? ""}`,
        ...(r.invariant !== null ? [`invariant: ${r.invariant}`] : []),
        `replay: ${options.replayOf?.(r) ?? replayCommand({ test: r.test, seed: r.seed, impl: options.impl, strict: options.strict === true })}`,
        ...(r.trace !== null && options.outDir !== null ? [`trace: ${options.outDir}/${r.trace}`] : []),
      ].join("\n");
      lines.push(`${open}>`);
      lines.push(
        `      <failure message="${escapeXml(cap(firstLine(message), 1024))}" type="${escapeXml(r.kind ?? "fail")}">${escapeXml(cap(body, JUNIT_MAX_TEXT))}</failure>`,
      );
      const output = options.logOf?.(r) ?? null;
      if (output !== null) lines.push(`      <system-out>${escapeXml(cap(output, JUNIT_MAX_OUTPUT + 200))}</system-out>`);
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

function firstLine(s: string): string {
  return s.split(/\r?\n/, 1)[0] ?? "";
}
