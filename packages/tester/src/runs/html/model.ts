// What report.html shows, computed from the runs of a report (batch's or stress's): per test the failure
// rate with its 95% interval and the spread of wall time, the failure groups with their replay commands,
// and the failing runs (capped: a batch of thousands of failures lists the first, the rest stay in
// report.json). Plain data: page.ts renders it, and it goes into the page as its JSON data block.

import type { RunRecord } from "../record.js";
import type { ReplayCheck } from "../replay-check.js";
import { faultsLine, type ShrunkExample } from "../shrunk.js";
import { wilsonInterval } from "../table.js";
import { groupFailures, TESTS_SHOWN } from "../triage.js";

/** Failing runs listed on the page; the rest are counted and left to report.json. */
export const MAX_LISTED_FAILURES = 200;
/** Tests in the table and charts; more are counted (a stress run with --split-tests can name many). */
export const MAX_TEST_ROWS = 500;
/** Characters of a failure message shown in a cell (its first line). */
const MESSAGE_CHARS = 300;

export interface ReportPageInput {
  readonly kind: "batch" | "stress";
  readonly title: string;
  /** Label and value lines under the title (impl, command, when, how long). */
  readonly facts: readonly (readonly [string, string])[];
  /** Warnings worth a reader's eye (interrupted, an error, passing runs not listed). */
  readonly notes: readonly string[];
  readonly runs: readonly RunRecord[];
  /** The exact command that replays (batch) or re-runs (stress) a failing run. */
  readonly replayOf: (run: RunRecord) => string;
  readonly checks?: readonly ReplayCheck[];
  /** `batch --shrink`: the groups' examples shrunk. */
  readonly shrinks?: readonly ShrunkExample[];
}

/** Wall-time spread of a test's runs, ms. */
export interface WallSpread {
  readonly n: number;
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number;
  readonly max: number;
}

export interface TestRow {
  readonly test: string;
  readonly failed: number;
  readonly total: number;
  /** failed / total; 0 with no runs. */
  readonly rate: number;
  /** 95% Wilson interval of the rate. */
  readonly lo: number;
  readonly hi: number;
  readonly wall: WallSpread | null;
}

/** Links of a failing run: its page (when one was rendered) and its saved files, relative to report.html. */
export interface RunLinks {
  readonly page: string | null;
  readonly files: readonly string[];
}

export interface GroupRow {
  readonly signature: string;
  readonly count: number;
  readonly tests: readonly { readonly test: string; readonly count: number }[];
  readonly moreTests: number;
  readonly example: { readonly test: string; readonly seed: number };
  readonly message: string;
  readonly replay: string;
  readonly check: { readonly verdict: ReplayCheck["verdict"]; readonly detail: string } | null;
  readonly links: RunLinks;
  readonly shrunk: ShrunkRow | null;
}

/** A group's example shrunk (`batch --shrink`): what is left of its schedule and how to replay that. */
export interface ShrunkRow {
  readonly status: ShrunkExample["status"];
  readonly detail: string;
  /** `faults: N -> M  events: … virtual: …`; null unless shrunk. */
  readonly summary: string | null;
  readonly sameFailure: boolean;
  readonly faults: readonly string[];
  /** Faults left beyond those listed. */
  readonly moreFaults: number;
  readonly replay: string | null;
  /** The schedule and the shrunk trace (relative links), and the shrunk run's page. */
  readonly links: RunLinks;
}

export interface FailingRow {
  readonly test: string;
  readonly seed: number;
  readonly kind: string;
  readonly signature: string;
  readonly message: string;
  readonly replay: string;
  readonly links: RunLinks;
}

export interface ReportModel {
  readonly kind: "batch" | "stress";
  readonly title: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly notes: readonly string[];
  readonly passed: number;
  readonly failed: number;
  readonly tests: readonly TestRow[];
  readonly moreTests: number;
  readonly groups: readonly GroupRow[];
  readonly failing: readonly FailingRow[];
  /** Failing runs not listed (beyond MAX_LISTED_FAILURES). */
  readonly moreFailing: number;
}

/** The q-quantile of sorted values, interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const a = sorted[i] ?? 0;
  const b = sorted[Math.min(sorted.length - 1, i + 1)] ?? a;
  return a + (b - a) * (pos - i);
}

export function wallSpread(values: readonly number[]): WallSpread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? 0,
    p25: quantile(s, 0.25),
    median: quantile(s, 0.5),
    p75: quantile(s, 0.75),
    p90: quantile(s, 0.9),
    max: s[s.length - 1] ?? 0,
  };
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/, 1)[0] ?? "";
  return line.length > MESSAGE_CHARS ? `${line.slice(0, MESSAGE_CHARS - 1)}…` : line;
}

/** Failing runs in the order the page lists them: each group's example first, then the rest by test and seed. */
export function failingInPageOrder(runs: readonly RunRecord[]): RunRecord[] {
  const groups = groupFailures(runs);
  const examples = groups.map((g) => g.example);
  const isExample = new Set(examples);
  const rest = runs.filter((r) => !r.ok && !isExample.has(r)).sort((a, b) => a.test.localeCompare(b.test) || a.seed - b.seed);
  return [...examples, ...rest];
}

const NO_LINKS: RunLinks = { page: null, files: [] };

/** Faults of a shrunk example listed on the page. */
const FAULTS_LISTED = 12;

/** The shrink of `run`, if --shrink shrank (or tried to shrink) it. */
export function shrunkOf(input: Pick<ReportPageInput, "shrinks">, run: { readonly test: string; readonly seed: number }): ShrunkExample | undefined {
  return input.shrinks?.find((s) => s.test === run.test && s.seed === run.seed);
}

function shrunkRow(s: ShrunkExample, links: RunLinks): ShrunkRow {
  const faults = s.faults ?? [];
  const listed = faults.slice(0, FAULTS_LISTED);
  return {
    status: s.status,
    detail: s.detail,
    summary: s.status === "shrunk" ? faultsLine(s) : null,
    sameFailure: s.sameFailure !== false,
    faults: listed,
    moreFaults: Math.max(0, (s.faultsAfter ?? faults.length) - listed.length),
    replay: s.replay ?? null,
    links,
  };
}

/**
 * The model; `linksOf` gives a failing run's page and files, `shrunkLinksOf` a shrunk example's
 * (write.ts knows which pages it wrote).
 */
export function buildReportModel(
  input: ReportPageInput,
  linksOf: (run: RunRecord) => RunLinks = () => NO_LINKS,
  shrunkLinksOf: (s: ShrunkExample) => RunLinks = () => NO_LINKS,
): ReportModel {
  const byTest = new Map<string, { failed: number; total: number; wall: number[] }>();
  let failed = 0;
  for (const r of input.runs) {
    let t = byTest.get(r.test);
    if (t === undefined) byTest.set(r.test, (t = { failed: 0, total: 0, wall: [] }));
    t.total += 1;
    if (!r.ok) {
      t.failed += 1;
      failed += 1;
    }
    t.wall.push(r.wallMs);
  }
  const tests: TestRow[] = [...byTest].slice(0, MAX_TEST_ROWS).map(([test, t]) => {
    const [lo, hi] = wilsonInterval(t.failed, t.total);
    return { test, failed: t.failed, total: t.total, rate: t.total === 0 ? 0 : t.failed / t.total, lo, hi, wall: wallSpread(t.wall) };
  });
  const groups: GroupRow[] = groupFailures(input.runs).map((g) => {
    const check = input.checks?.find((c) => c.test === g.example.test && c.seed === g.example.seed) ?? null;
    return {
      signature: g.signature,
      count: g.count,
      tests: g.tests.slice(0, TESTS_SHOWN).map((t) => ({ test: t.test, count: t.count })),
      moreTests: Math.max(0, g.tests.length - TESTS_SHOWN),
      example: { test: g.example.test, seed: g.example.seed },
      message: firstLine(g.exampleMessage),
      replay: input.replayOf(g.example),
      check: check === null ? null : { verdict: check.verdict, detail: check.detail },
      links: linksOf(g.example),
      shrunk: ((sh) => (sh === undefined ? null : shrunkRow(sh, shrunkLinksOf(sh))))(shrunkOf(input, g.example)),
    };
  });
  const ordered = failingInPageOrder(input.runs);
  const failing: FailingRow[] = ordered.slice(0, MAX_LISTED_FAILURES).map((r) => ({
    test: r.test,
    seed: r.seed,
    kind: r.kind ?? "fail",
    signature: r.signature ?? "",
    message: firstLine(r.message ?? ""),
    replay: input.replayOf(r),
    links: linksOf(r),
  }));
  return {
    kind: input.kind,
    title: input.title,
    facts: input.facts,
    notes: input.notes,
    passed: input.runs.length - failed,
    failed,
    tests,
    moreTests: Math.max(0, byTest.size - MAX_TEST_ROWS),
    groups,
    failing,
    moreFailing: Math.max(0, ordered.length - MAX_LISTED_FAILURES),
  };
}
