// Reading saved results back for `raftlab triage`: a JSON report, a batch output folder (its
// report.json, or else its saved `.log` / `.jsonl` files), or one saved `.log` or `.jsonl` file.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseRunLogHeader } from "../runs/artifacts.js";
import type { FailureKind, RunRecord } from "../runs/record.js";
import { JOURNAL_FILE, journalIn, readJournal, type JournalContents } from "../runs/journal.js";
import { REPORT_FILE } from "../runs/journaled-folder.js";
import { ReportError, readReport, type BatchReport } from "../runs/report.js";
import { failureSignature } from "../runs/signature.js";
import type { ShrunkExample } from "../runs/shrunk.js";
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
  /** What the reader should know about where the runs came from (a killed batch), or null. */
  readonly note: string | null;
  /** The batch ran with --strict (replay commands must carry it). */
  readonly strict: boolean;
  /** Nothing beside a lone trace says which Raft ran it (the note says so unless --impl is given). */
  readonly implUnknown?: boolean;
  /** Shrunk examples of a --shrink batch's report. */
  readonly shrinks?: readonly ShrunkExample[];
}

const KINDS: readonly string[] = ["fail", "violation", "timeout", "crash"];

/** Loads saved results; throws ReportError with a one-line reason for anything unreadable. */
export function loadSavedResults(path: string): LoadedResults {
  if (!existsSync(path)) throw new ReportError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const reportPath = join(path, "report.json");
    const journalPath = journalIn(path);
    const journal = journalPath === null ? null : readJournal(journalPath);
    // report.json is complete once the journal says so; an unfinished journal is newer than any
    // report.json there (a resumed batch that was then killed).
    if (existsSync(reportPath) && (journal === null || journal.ended)) {
      return readReportOrJournal(reportPath, path, journalPath, journal);
    }
    if (journalPath !== null && journal !== null) return fromJournal(journalPath, journal, path);
    return loadArtifacts(path);
  }
  if (basename(path) === JOURNAL_FILE) return fromJournal(path, readJournal(path), dirOf(path));
  const besideJournal = basename(path) === REPORT_FILE ? journalIn(dirOf(path)) : null;
  if (besideJournal !== null) return readReportOrJournal(path, null, besideJournal, null, dirOf(path));
  if (path.endsWith(".log")) {
    const { impl, strict, ...run } = recordFromLog(readFileSync(path, "utf8"), basename(path), path);
    return { runs: [run], impl, strict, outDir: dirOf(path), source: path, replayChecks: [], omittedPassingRuns: 0, note: null };
  }
  if (path.endsWith(".jsonl")) {
    const run = recordFromTrace(readFileSync(path, "utf8"), basename(path), path);
    const flags = batchFlagsBeside(path);
    return { runs: [run], ...flags, outDir: dirOf(path), source: path, replayChecks: [], omittedPassingRuns: 0 };
  }
  const r = readReport(path);
  return fromReport(r, path, r.outDir);
}

/**
 * A folder's report.json, or, when it is cut short or corrupt (a crash while an older raftlab wrote it,
 * a damaged disk), the journal beside it, which records the same runs, with a note saying so.
 */
function readReportOrJournal(
  reportPath: string,
  outDir: string | null,
  journalPath: string | null,
  journal: JournalContents | null,
  journalDir: string = outDir ?? dirOf(reportPath),
): LoadedResults {
  try {
    const r = readReport(reportPath);
    return fromReport(r, reportPath, outDir ?? r.outDir);
  } catch (e) {
    if (!(e instanceof ReportError) || journalPath === null) throw e;
    const fromJ = fromJournal(journalPath, journal ?? readJournal(journalPath), journalDir);
    const why = `${reportPath} is unreadable (${e.message
      .replace(reportPath, "it")
      .replace(/; give a report written by .*$/, "")
      .slice(0, 200)}): read the journal instead`;
    return { ...fromJ, note: fromJ.note === null ? why : `${why}; ${fromJ.note}` };
  }
}

function fromReport(r: BatchReport, source: string, outDir: string | null): LoadedResults {
  return {
    runs: r.runs,
    impl: r.impl,
    strict: r.batch?.strict === true,
    outDir,
    source,
    replayChecks: r.replayChecks,
    omittedPassingRuns: r.omittedPassingRuns,
    note: r.error ?? null,
    ...(r.shrinks !== undefined ? { shrinks: r.shrinks } : {}),
  };
}

function fromJournal(journalPath: string, journal: JournalContents, outDir: string): LoadedResults {
  return {
    runs: journal.runs,
    impl: journal.header?.impl ?? null,
    strict: journal.header?.batch.strict === true,
    outDir,
    source: journalPath,
    replayChecks: [],
    omittedPassingRuns: 0,
    note: journalNote(journal),
  };
}

function journalNote(journal: JournalContents): string | null {
  const notes: string[] = [];
  if (!journal.ended) notes.push(`the batch did not finish (killed?): these are the ${journal.runs.length} runs its journal recorded; runs in flight are lost`);
  if (journal.tornLines > 0) notes.push(`${journal.tornLines} torn journal line${journal.tornLines === 1 ? "" : "s"} (a crash mid-write) skipped`);
  return notes.length === 0 ? null : notes.join("; ");
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

/**
 * Which Raft ran a saved trace, and with --strict or not: the trace holds neither (its events are the
 * run's, pinned byte for byte), so they come from the run's `.log` beside it, else from the batch's
 * report.json there. Without either the replay line would run raftlab's Raft, which for a student's
 * failure passes and looks like a non-reproduction; the note says so.
 */
function batchFlagsBeside(tracePath: string): {
  readonly impl: string | null;
  readonly strict: boolean;
  readonly note: string | null;
  readonly implUnknown?: boolean;
} {
  const logPath = tracePath.replace(/\.jsonl$/, ".log");
  if (existsSync(logPath)) {
    const h = parseRunLogHeader(readFileSync(logPath, "utf8"));
    if (h !== null) return { impl: h.get("impl") ?? null, strict: h.get("strict") === "true", note: null };
  }
  const reportPath = join(dirOf(tracePath), "report.json");
  if (existsSync(reportPath)) {
    try {
      const r = readReport(reportPath);
      return { impl: r.impl, strict: r.batch?.strict === true, note: null };
    } catch {
      // Not a batch report (or unreadable): fall through to the note.
    }
  }
  return {
    impl: null,
    strict: false,
    implUnknown: true,
    note: `no ${basename(logPath)} or report.json beside the trace says which Raft ran: the replay runs raftlab's own Raft unless you pass --impl`,
  };
}

/** A folder without report.json (a batch killed hard): every `.log`, and every `.jsonl` without a `.log`. */
function loadArtifacts(dir: string): LoadedResults {
  const names = readdirSync(dir).sort();
  const runs: RunRecord[] = [];
  const logged: LoggedRun[] = [];
  const logs = new Set(names.filter((n) => n.endsWith(".log")));
  for (const name of names) {
    const p = join(dir, name);
    if (name.endsWith(".log")) {
      const { impl, strict, ...run } = recordFromLog(readFileSync(p, "utf8"), name, p);
      logged.push({ ...run, impl, strict });
      runs.push(run);
    } else if (name.endsWith(".jsonl") && !logs.has(name.replace(/\.jsonl$/, ".log"))) {
      runs.push(recordFromTrace(readFileSync(p, "utf8"), name, p));
    }
  }
  if (runs.length === 0) throw new ReportError(`${dir} holds no report.json and no saved runs (.log / .jsonl)`);
  const impls = new Set(logged.map((r) => r.impl));
  return {
    runs,
    impl: impls.size === 1 ? ([...impls][0] ?? null) : null,
    strict: logged.some((r) => r.strict),
    outDir: dir,
    source: dir,
    replayChecks: [],
    omittedPassingRuns: 0,
    note: "no report.json and no journal: only the saved runs are counted (without --archive, only failing runs are saved), so the rates above are not failure rates",
  };
}

/** A run read back from its `.log`, with the batch flags its header carries. */
type LoggedRun = RunRecord & { readonly impl: string | null; readonly strict: boolean };

function recordFromLog(text: string, name: string, where: string): LoggedRun {
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
    signature: ok ? null : (h.get("signature") ?? failureSignature({ kind, message: message ?? "", ...(invariant !== null ? { invariant } : {}) })),
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
    impl: h.get("impl") ?? null,
    strict: h.get("strict") === "true",
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

/**
 * What `raftlab batch --resume PATH` continues: a JSON report, or a batch folder (its report.json, or
 * the journal of a batch that was killed before it wrote one). Loose saved runs are not enough: they
 * hold failing runs only, so a resume from them would run every passing run again and call it new.
 */
export function loadResumable(path: string): {
  readonly runs: readonly RunRecord[];
  readonly impl: string | null;
  readonly outDir: string | null;
  readonly note: string | null;
} {
  if (!existsSync(path)) throw new ReportError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, "report.json")) && journalIn(path) === null) {
      throw new ReportError(`${path} holds neither a report.json nor a ${JOURNAL_FILE}: nothing to resume`);
    }
    const loaded = loadSavedResults(path);
    return { runs: loaded.runs, impl: loaded.impl, outDir: path, note: loaded.note };
  }
  if (basename(path) === JOURNAL_FILE) {
    const loaded = loadSavedResults(path);
    return { runs: loaded.runs, impl: loaded.impl, outDir: loaded.outDir, note: loaded.note };
  }
  if (basename(path) === REPORT_FILE && journalIn(dirOf(path)) !== null) {
    const loaded = loadSavedResults(path);
    return { runs: loaded.runs, impl: loaded.impl, outDir: loaded.outDir, note: loaded.note };
  }
  const r = readReport(path);
  return { runs: r.runs, impl: r.impl, outDir: r.outDir, note: null };
}
