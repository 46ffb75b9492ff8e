// Triage: failing runs grouped by signature, largest group first, each with the tests it hit, its
// first seeds and one command that replays it.

import { escapeControls } from "@raftlab/raft";
import type { RunRecord } from "./record.js";
import { makeStyle, replayCommand, shellQuote, type Style } from "@raftlab/raft/terminal";
import type { ReplayCheck } from "./replay-check.js";
import { formatShrunk, type ShrunkExample } from "./shrunk.js";

/** How many seeds per test a group lists. */
export const SEEDS_SHOWN = 5;
/** How many tests a group names, and for how many of them it lists seeds. */
export const TESTS_SHOWN = 8;
export const SEED_TESTS_SHOWN = 3;

export interface TriageGroup {
  readonly signature: string;
  readonly count: number;
  /** Tests this signature failed, most failures first, with their failure counts. */
  readonly tests: readonly { readonly test: string; readonly count: number; readonly seeds: readonly number[] }[];
  /** The run to replay: the one with the least simulated time, i.e. the shortest trace to read. */
  readonly example: RunRecord;
  /** A message of the example run, un-normalised. */
  readonly exampleMessage: string;
}

/** Groups failing runs by signature; deterministic for a given set of records whatever their order. */
export function groupFailures(records: Iterable<RunRecord>): TriageGroup[] {
  const bySig = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (r.ok) continue;
    const sig = r.signature ?? "(no signature)";
    let list = bySig.get(sig);
    if (list === undefined) bySig.set(sig, (list = []));
    list.push(r);
  }
  const groups: TriageGroup[] = [];
  for (const [signature, runs] of bySig) {
    const byTest = new Map<string, number[]>();
    for (const r of runs) {
      let seeds = byTest.get(r.test);
      if (seeds === undefined) byTest.set(r.test, (seeds = []));
      seeds.push(r.seed);
    }
    const tests = [...byTest]
      .map(([test, seeds]) => ({ test, count: seeds.length, seeds: [...seeds].sort((a, b) => a - b) }))
      .sort((a, b) => b.count - a.count || a.test.localeCompare(b.test));
    const example = [...runs].sort(compareForReplay)[0];
    if (example === undefined) continue;
    groups.push({ signature, count: runs.length, tests, example, exampleMessage: example.message ?? "" });
  }
  return groups.sort((a, b) => b.count - a.count || a.signature.localeCompare(b.signature));
}

/** Shortest run first (least to read), then by test and seed so the choice is deterministic. */
function compareForReplay(a: RunRecord, b: RunRecord): number {
  const va = a.virtualMs ?? Number.POSITIVE_INFINITY;
  const vb = b.virtualMs ?? Number.POSITIVE_INFINITY;
  if (va !== vb) return va - vb;
  return a.test.localeCompare(b.test) || a.seed - b.seed;
}

export interface TriageFormatOptions {
  readonly impl: string | null;
  /** The batch ran with --strict: replay commands carry it. */
  readonly strict?: boolean;
  /** Where saved traces live, to print `logviz <file>` for the example when its trace was saved. */
  readonly outDir: string | null;
  readonly style?: Style;
  /** Replay checks (from the batch or its report), shown under the group whose example they replayed. */
  readonly checks?: readonly ReplayCheck[];
  /** Shrunk examples (batch --shrink), shown under the group whose example they shrank. */
  readonly shrinks?: readonly ShrunkExample[];
}

export function formatTriage(groups: readonly TriageGroup[], options: TriageFormatOptions): string[] {
  const style = options.style ?? makeStyle(false);
  if (groups.length === 0) return [style.green("No failures.")];
  const total = groups.reduce((n, g) => n + g.count, 0);
  const out: string[] = [
    style.bold(`Failures by signature: ${groups.length} signature${groups.length === 1 ? "" : "s"}, ${total} failing run${total === 1 ? "" : "s"}`),
  ];
  groups.forEach((g, i) => {
    out.push("");
    out.push(`${style.red(`[${i + 1}]`)} ${style.bold(`${g.count}×`)} ${escapeControls(g.signature)}`);
    const more = (n: number): string => (n > 0 ? `, … ${n} more test${n === 1 ? "" : "s"}` : "");
    out.push(
      `    tests:  ${g.tests
        .slice(0, TESTS_SHOWN)
        .map((t) => `${escapeControls(t.test)} (${t.count})`)
        .join(", ")}${more(g.tests.length - TESTS_SHOWN)}`,
    );
    const seeds = g.tests.slice(0, SEED_TESTS_SHOWN).map((t) => {
      const shown = t.seeds.slice(0, SEEDS_SHOWN).join(", ");
      return `${escapeControls(t.test)}: ${shown}${t.seeds.length > SEEDS_SHOWN ? ", …" : ""}`;
    });
    const hiddenSeedTests = g.tests.length - SEED_TESTS_SHOWN;
    const seedsMore = hiddenSeedTests > 0 ? `; … ${hiddenSeedTests} more test${hiddenSeedTests === 1 ? "" : "s"}` : "";
    out.push(`    seeds:  ${seeds.join("; ")}${seedsMore}`);
    if (g.exampleMessage !== "") out.push(`    e.g.:   ${escapeControls(firstLine(g.exampleMessage))}`);
    out.push(`    replay: ${style.bold(replayCommand({ test: g.example.test, seed: g.example.seed, impl: options.impl, strict: options.strict === true }))}`);
    const check = options.checks?.find((c) => c.test === g.example.test && c.seed === g.example.seed);
    if (check !== undefined) {
      const verdict =
        check.verdict === "same"
          ? style.green(`✓ replayed: ${escapeControls(check.detail)}`)
          : check.verdict === "differs"
            ? style.red(`✗ REPLAY DIFFERS: ${escapeControls(check.detail)}`)
            : style.dim(`replay not checked: ${escapeControls(check.detail)}`);
      out.push(`            ${verdict}`);
    }
    if (g.example.trace !== null && options.outDir !== null) {
      const note = g.example.traceTruncated ? style.yellow(" (truncated)") : "";
      out.push(`    saved:  logviz ${shellQuote(joinPath(options.outDir, g.example.trace))}${note}`);
    }
    const shrunk = options.shrinks?.find((s) => s.test === g.example.test && s.seed === g.example.seed);
    if (shrunk !== undefined) out.push(...formatShrunk(shrunk, options.outDir, style));
  });
  return out;
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/, 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}
