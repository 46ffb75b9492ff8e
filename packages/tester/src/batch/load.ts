// Reading saved results back for `raftlab triage`: a JSON report, a batch output folder (its
// report.json, or else its saved `.log` / `.jsonl` files), or one saved `.log` or `.jsonl` file.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseRunLogHeader } from "./artifacts.js";
import type { FailureKind, RunRecord } from "./record.js";
import { ReportError, readReport } from "./report.js";
import { failureSignature } from "./signature.js";
import type { ReplayCheck } from "./verify.js";

export interface LoadedResults {
  readonly runs: readonly RunRecord[];
  readonly impl: string | null;
  /** Folder the runs' `trace`/`log` names are relative to. */
  readonly outDir: string | null;
  /** Where the runs came from, for the header line. */
  readonly source: string;
  /** Replay checks recorded in a JSON report (none for loose files). */
  readonly replayChecks: readonly ReplayCheck[];
  /** Passing runs a report counted but did not list. */
  readonly omittedPassingRuns: number;
}

const KINDS: readonly string[] = ["fail", "violation", "timeout", "crash"];

/** Loads saved results; throws ReportError with a one-line reason for anything unreadable. */
export function loadSavedResults(path: string): LoadedResults {
  if (!existsSync(path)) throw new ReportError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const reportPath = join(path, "report.json");
    if (existsSync(reportPath)) {
      const r = readReport(reportPath);
      return { runs: r.runs, impl: r.impl, outDir: path, source: reportPath, replayChecks: r.replayChecks, omittedPassingRuns: r.omittedPassingRuns };
    }
    return loadArtifacts(path);
  }
  if (path.endsWith(".log")) {
    const run = recordFromLog(readFileSync(path, "utf8"), basename(path), path);
    return { runs: [run], impl: null, outDir: dirOf(path), source: path, replayChecks: [], omittedPassingRuns: 0 };
  }
  if (path.endsWith(".jsonl")) {
    const run = recordFromTrace(readFileSync(path, "utf8"), basename(path), path);
    return { runs: [run], impl: null, outDir: dirOf(path), source: path, replayChecks: [], omittedPassingRuns: 0 };
  }
  const r = readReport(path);
  return { runs: r.runs, impl: r.impl, outDir: r.outDir, source: path, replayChecks: r.replayChecks, omittedPassingRuns: r.omittedPassingRuns };
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

/** A folder without report.json (a batch killed hard): every `.log`, and every `.jsonl` without a `.log`. */
function loadArtifacts(dir: string): LoadedResults {
  const names = readdirSync(dir).sort();
  const runs: RunRecord[] = [];
  const logs = new Set(names.filter((n) => n.endsWith(".log")));
  for (const name of names) {
    const p = join(dir, name);
    if (name.endsWith(".log")) runs.push(recordFromLog(readFileSync(p, "utf8"), name, p));
    else if (name.endsWith(".jsonl") && !logs.has(name.replace(/\.jsonl$/, ".log"))) {
      runs.push(recordFromTrace(readFileSync(p, "utf8"), name, p));
    }
  }
  if (runs.length === 0) throw new ReportError(`${dir} holds no report.json and no saved runs (.log / .jsonl)`);
  return { runs, impl: null, outDir: dir, source: dir, replayChecks: [], omittedPassingRuns: 0 };
}

function recordFromLog(text: string, name: string, where: string): RunRecord {
  const h = parseRunLogHeader(text);
  if (h === null) throw new ReportError(`${where} is not a raftlab batch run log (no "# raftlab batch run" header)`);
  const test = h.get("test");
  const seed = Number(h.get("seed"));
  if (test === undefined || !Number.isSafeInteger(seed)) throw new ReportError(`${where}: header lacks a test or a seed`);
  const ok = h.get("result") === "pass";
  const kindText = h.get("kind") ?? "fail";
  const kind = (KINDS.includes(kindText) ? kindText : "fail") as FailureKind;
  const message = h.get("message") ?? null;
  const invariant = h.get("invariant") ?? null;
  const num = (k: string): number | null => {
    const v = Number(h.get(k));
    return h.has(k) && Number.isFinite(v) ? v : null;
  };
  const traceField = h.get("trace");
  const stem = name.replace(/\.log$/, "");
  return {
    test,
    seed,
    ok,
    signature: ok
      ? null
      : (h.get("signature") ??
        failureSignature({ kind, message: message ?? "", ...(invariant !== null ? { invariant } : {}) })),
    kind: ok ? null : kind,
    message: ok ? null : message,
    invariant: ok ? null : invariant,
    virtualMs: num("virtual-ms"),
    wallMs: num("wall-ms") ?? 0,
    rpcs: num("rpcs"),
    bytes: num("bytes"),
    cmds: num("cmds"),
    peers: num("peers"),
    trace: traceField === undefined ? null : `${stem}.jsonl`,
    log: name,
    traceTruncated: traceField?.endsWith("(truncated)") ?? false,
  };
}

/**
 * A trace without its log: the run's test and seed come from TestBegin, its verdict from TestEnd,
 * and the failure from TestFail or Violation. A malformed line is reported with its line number.
 */
function recordFromTrace(text: string, name: string, where: string): RunRecord {
  let test: string | null = null;
  let seed: number | null = null;
  let ok: boolean | null = null;
  let failure: { kind: FailureKind; message: string; invariant?: string } | null = null;
  let lastT = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === "") continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // The last line of a stopped run's trace may be cut short; anything else is corrupt.
      if (i >= lines.length - 2) break;
      throw new ReportError(`${where}:${i + 1}: not a JSON trace event`);
    }
    if (typeof e["t"] === "number") lastT = e["t"];
    const op = e["op"];
    if (op === "TestBegin") {
      if (typeof e["test"] === "string") test = e["test"];
      if (typeof e["seed"] === "number") seed = e["seed"];
    } else if (op === "TestEnd" && typeof e["ok"] === "boolean") {
      ok = e["ok"];
    } else if (op === "Violation" && failure === null) {
      const reason = typeof e["reason"] === "string" ? e["reason"] : "violation";
      failure = { kind: "violation", message: String(e["msg"] ?? reason), invariant: reason };
    } else if (op === "TestFail" && failure === null) {
      failure = { kind: "fail", message: String(e["msg"] ?? "failed") };
    }
  }
  const m = /^(.*)-(\d+)\.jsonl$/.exec(name);
  test ??= m?.[1] ?? null;
  seed ??= m?.[2] !== undefined ? Number(m[2]) : null;
  if (test === null || seed === null) throw new ReportError(`${where}: cannot tell the test and seed (no TestBegin event)`);
  // No TestEnd: the run never finished (it was stopped).
  if (ok === null && failure === null) failure = { kind: "timeout", message: "the trace ends before the test did" };
  const passed = ok === true && failure === null;
  if (!passed && failure === null) failure = { kind: "fail", message: "failed (no TestFail event in the trace)" };
  return {
    test,
    seed,
    ok: passed,
    signature: failure === null ? null : failureSignature(failure),
    kind: failure?.kind ?? null,
    message: failure?.message ?? null,
    invariant: failure?.invariant ?? null,
    virtualMs: lastT,
    wallMs: 0,
    rpcs: null,
    bytes: null,
    cmds: null,
    peers: null,
    trace: name,
    log: null,
    traceTruncated: false,
  };
}
