// A failure group's example, shrunk (`raftlab batch --shrink`, batch/shrink-groups.ts): what the report
// stores of it, how triage and the example's `.log` show it. The shrinking itself lives in src/shrink/;
// this file is the record every reader of a report shares, so it only knows file names and numbers.
//
// Report compatibility: `shrinks` is an optional field of the batch report (version unchanged). An
// older triage ignores it; this one reads entries it can check and drops the others.

import { escapeControls } from "@raftlab/raft";
import { shellQuote, type Style } from "@raftlab/raft/terminal";

export interface ShrunkExample {
  readonly test: string;
  readonly seed: number;
  /** The failure group's signature (the example's). */
  readonly signature: string;
  /**
   * "shrunk": a schedule was written (it may still have as many faults as the original, when none could
   * go); "passes": the example did not fail when run again in-process; "skipped": not shrinkable
   * (`detail` says why); "error": the shrink itself failed (`detail`).
   */
  readonly status: "shrunk" | "passes" | "skipped" | "error";
  readonly detail: string;
  /** The shrunk schedule, relative to the report's outDir (`<stem>.schedule.json`). */
  readonly schedule?: string;
  /** The shrunk run's trace, relative to outDir (`<stem>.shrunk.jsonl`); absent when not saved. */
  readonly trace?: string;
  /** The command that replays the shrunk schedule (paths as the batch was given them). */
  readonly replay?: string;
  readonly faultsBefore?: number;
  readonly faultsAfter?: number;
  readonly eventsBefore?: number;
  readonly eventsAfter?: number;
  readonly virtualMsBefore?: number;
  readonly virtualMsAfter?: number;
  /** The shrunk run fails with the group's signature. */
  readonly sameFailure?: boolean;
  /** Why the search stopped: no smaller schedule fails the same way ("done"), or the budget ("budget"). */
  readonly stoppedBy?: "done" | "budget" | "runs";
  /** Candidate runs tried, and the wall-clock time the shrink took. */
  readonly runs?: number;
  readonly wallMs?: number;
  /** The faults left, in plain words (`t=1.200s crash S2`), at most MAX_FAULTS_LISTED. */
  readonly faults?: readonly string[];
}

/** Faults listed per shrunk example in a report (the schedule file has them all). */
export const MAX_FAULTS_LISTED = 20;
/** Faults shown per group by triage. */
export const FAULTS_SHOWN = 8;

/** `faults: N -> M  events: A -> B  virtual: X -> Y` (plain ASCII, as `raftlab shrink` prints it last). */
export function faultsLine(s: ShrunkExample): string {
  const secs = (ms: number | undefined): string => (ms === undefined ? "?" : `${(ms / 1000).toFixed(3)}s`);
  return `faults: ${s.faultsBefore ?? "?"} -> ${s.faultsAfter ?? "?"}  events: ${s.eventsBefore ?? "?"} -> ${s.eventsAfter ?? "?"}  virtual: ${secs(s.virtualMsBefore)} -> ${secs(s.virtualMsAfter)}`;
}

/** The `# key: value` header lines a shrunk example adds to its run's `.log`. */
export function shrunkLogHeader(s: ShrunkExample): string[] {
  if (s.status !== "shrunk") return [`# shrink: ${s.status}: ${oneLine(s.detail)}`];
  return [
    `# shrunk-schedule: ${s.schedule ?? ""}`,
    ...(s.trace !== undefined ? [`# shrunk-trace: ${s.trace}`] : []),
    `# shrunk: ${faultsLine(s)}${s.sameFailure === false ? " (the shrunk run no longer fails the same way)" : ""}`,
    ...(s.faults ?? []).map((f) => `# shrunk-fault: ${oneLine(f)}`),
    `# shrunk-replay: ${s.replay ?? ""}`,
  ];
}

/** Triage's lines for a group's shrunk example, indented under the group. */
export function formatShrunk(s: ShrunkExample, outDir: string | null, style: Style): string[] {
  if (s.status !== "shrunk") return [`    shrunk: ${style.dim(`not shrunk (${s.status}): ${escapeControls(s.detail)}`)}`];
  const where = (f: string): string => shellQuote(outDir === null ? f : outDir.endsWith("/") ? outDir + f : `${outDir}/${f}`);
  const faults = s.faults ?? [];
  const shown = faults.slice(0, FAULTS_SHOWN).map((f) => `            ${escapeControls(f)}`);
  const hidden = (s.faultsAfter ?? faults.length) - shown.length;
  const same = s.sameFailure === false ? style.red(" (no longer fails the same way)") : "";
  return [
    `    shrunk: ${style.bold(faultsLine(s))}${same}  ${style.dim(`${escapeControls(s.detail)}`)}`,
    ...shown,
    ...(hidden > 0 ? [`            … ${hidden} more in the schedule`] : []),
    ...(s.schedule !== undefined ? [`            schedule: ${where(s.schedule)}`] : []),
    ...(s.replay !== undefined ? [`            replay: ${style.bold(escapeControls(s.replay))}`] : []),
    ...(s.trace !== undefined ? [`            saved:  logviz ${where(s.trace)}`] : []),
  ];
}

const STATUSES: readonly ShrunkExample["status"][] = ["shrunk", "passes", "skipped", "error"];

/** The report's `shrinks`, keeping the entries that check (a reader never fails on this optional field). */
export function parseShrunkExamples(v: unknown): ShrunkExample[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isShrunkExample);
}

function isShrunkExample(v: unknown): v is ShrunkExample {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  // Counts and durations are non-negative and finite: a report is data from outside (issue 20 point 5).
  const optNum = (k: string): boolean =>
    o[k] === undefined || (typeof o[k] === "number" && Number.isFinite(o[k]) && o[k] >= 0 && o[k] <= Number.MAX_SAFE_INTEGER);
  const optStr = (k: string): boolean => o[k] === undefined || typeof o[k] === "string";
  return (
    typeof o["test"] === "string" &&
    typeof o["seed"] === "number" &&
    Number.isSafeInteger(o["seed"]) &&
    o["seed"] >= 0 &&
    typeof o["signature"] === "string" &&
    STATUSES.includes(o["status"] as ShrunkExample["status"]) &&
    typeof o["detail"] === "string" &&
    ["schedule", "trace", "replay"].every(optStr) &&
    ["faultsBefore", "faultsAfter", "eventsBefore", "eventsAfter", "virtualMsBefore", "virtualMsAfter", "runs", "wallMs"].every(optNum) &&
    (o["faults"] === undefined || (Array.isArray(o["faults"]) && o["faults"].every((f) => typeof f === "string")))
  );
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, " ⏎ ");
}
