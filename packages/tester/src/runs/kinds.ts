// Triage and merge by report kind, in one place: each run kind (batch, stress) registers how to
// recognise its reports and how to triage and merge them, and `raftlab triage` / `raftlab merge` ask
// here. So no kind imports another, and a new kind adds itself without touching the others.

import type { MergeFlags } from "./merge.js";

export interface TriageFlags {
  readonly impl?: string;
  /** --html: also write report.html and the run pages into the folder triaged. */
  readonly html?: boolean;
}

export interface ReportKind {
  /** As the user reads it: "batch", "stress". */
  readonly name: string;
  /** Triage of `path` (a report, an output folder, one saved log) when this kind claims it; null when not. */
  triage(path: string, flags: TriageFlags): number | null;
  /** Whether `file` is a report of this kind. */
  isReport(file: string): boolean;
  /**
   * Merges `files`, all of this kind, and returns the exit code. `foreign` are the other files given,
   * of other kinds: the kind reads its own first (so an unreadable one is the error) and then refuses.
   */
  merge(files: readonly string[], flags: MergeFlags, foreign: readonly ForeignReport[]): number;
}

export interface ForeignReport {
  readonly file: string;
  readonly kind: string;
}

const kinds: ReportKind[] = [];
let fallback: ReportKind | null = null;

/** Registers a kind; the fallback kind (the batch's) takes whatever no other kind claims. */
export function registerReportKind(kind: ReportKind, options: { readonly fallback?: boolean } = {}): void {
  if (options.fallback === true) fallback = kind;
  else if (!kinds.some((k) => k.name === kind.name)) kinds.push(kind);
}

function fallbackKind(): ReportKind {
  if (fallback === null) throw new Error("no report kind registered as the fallback (register the batch's)");
  return fallback;
}

function kindOf(file: string): ReportKind {
  return kinds.find((k) => k.isReport(file)) ?? fallbackKind();
}

/** `raftlab triage PATH`: the first kind that claims the path, else the fallback. Returns the exit code. */
export function triageByKind(path: string, flags: TriageFlags): number {
  for (const k of kinds) {
    const code = k.triage(path, flags);
    if (code !== null) return code;
  }
  return fallbackKind().triage(path, flags) ?? 1;
}

/** `raftlab merge FILES`: one kind merges them all; files of mixed kinds go to the fallback, which refuses. */
export function mergeByKind(files: readonly string[], flags: MergeFlags): number {
  const owners = files.map((file) => ({ file, kind: kindOf(file) }));
  const first = owners[0]?.kind;
  if (first !== undefined && owners.every((o) => o.kind === first)) return first.merge(files, flags, []);
  const base = fallbackKind();
  const own = owners.filter((o) => o.kind === base).map((o) => o.file);
  const foreign = owners.filter((o) => o.kind !== base).map((o) => ({ file: o.file, kind: o.kind.name }));
  return base.merge(own, flags, foreign);
}
