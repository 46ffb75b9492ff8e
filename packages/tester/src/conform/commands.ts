// The `conform` subcommand of the raftlab CLI: the conformance cases against our Raft or --impl, one
// line per case, a last line "N passed, N failed" (or one JSON document with --json).

import { Command } from "commander";
import { nonNegativeInt, positiveSeconds } from "../cli-args.js";
import { escapeControls, make as ourMake, type MakeRaft } from "@raftlab/raft";
import { EXIT, EXIT_USAGE_TEXT, styleFor } from "@raftlab/raft/terminal";
import { ImplLoadError, loadImpl } from "../runner.js";
import { Watchdog } from "../watchdog.js";
import { CONFORM_CASES, runConformance, selectCases, type ConformResult } from "./run.js";


/** Default wall-clock limit per case, in seconds (a case takes milliseconds; this only stops a busy loop). */
const DEFAULT_CASE_TIMEOUT_SEC = 60;

interface ConformFlags {
  readonly impl?: string;
  readonly seed?: number;
  readonly timeout?: number;
  readonly json?: boolean;
  readonly list?: boolean;
}

/**
 * Runs `body` with what the Raft under test prints sent (escaped) to stderr, so stdout carries only
 * the results, and with process.exit turned into a throw, so the Raft cannot end the tester and fake
 * a pass (the case it happens in fails with "the peer under test threw: ...").
 */
async function guarded<T>(body: () => Promise<T>): Promise<T> {
  const writeErr = process.stderr.write.bind(process.stderr);
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      writeErr(escapeControls(text, { tab: true, newline: true }));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof stream.write;
  }
  const realExit = process.exit;
  process.exit = ((code?: unknown): never => {
    throw new Error(`the Raft called process.exit(${code === undefined ? "" : String(code)}); a Raft under test must not end the tester`);
  }) as typeof process.exit;
  try {
    return await body();
  } finally {
    process.exit = realExit;
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original !== undefined) stream.write = original;
    });
  }
}

async function conformAction(patterns: string[], flags: ConformFlags): Promise<number> {
  const cases = selectCases(patterns);
  if (cases.length === 0) {
    process.stderr.write(`raftlab conform: no case matches ${patterns.map((p) => JSON.stringify(p)).join(", ")} (try: raftlab conform --list)\n`);
    return EXIT.USAGE;
  }
  if (flags.list === true) {
    for (const c of cases) process.stdout.write(`${c.name}${c.restarts ? "" : "  (no restarts: volatile state)"}\n`);
    return EXIT.OK;
  }
  let make: MakeRaft = ourMake;
  if (flags.impl !== undefined) {
    try {
      make = await loadImpl(flags.impl);
    } catch (e) {
      if (e instanceof ImplLoadError) {
        process.stderr.write(`raftlab conform: --impl: ${escapeControls(e.message)}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
  }
  const out = process.stdout.write.bind(process.stdout);
  const c = styleFor(process.stdout);
  const line = (r: ConformResult): void => {
    if (flags.json === true) return;
    const text = r.ok ? `${c.green("✓")} ${r.name}` : `${c.red("✗")} ${r.name} -- ${escapeControls(r.mismatch ?? "")}`;
    out(text + "\n");
  };
  // A Raft that blocks the thread (a busy loop) never returns to the script: the watchdog thread ends
  // the process with one line (exit 137) instead of letting it hang.
  const timeoutSec = flags.timeout ?? DEFAULT_CASE_TIMEOUT_SEC;
  const watchdog = new Watchdog();
  let results: ConformResult[];
  try {
    const onCaseStart = (k: { readonly name: string }): void =>
      watchdog.arm(timeoutSec * 1000, `raftlab conform: "${escapeControls(k.name)}": no result after ${timeoutSec} s of wall-clock time and the Raft does not yield (a busy loop?); killed (--timeout)`);
    results = await guarded(() => runConformance(make, { only: patterns, onCaseStart, seed: flags.seed ?? 1 }, line));
  } finally {
    watchdog.disarm();
    await watchdog.close();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (flags.json === true) {
    const doc = { impl: flags.impl ?? null, passed, failed, cases: results.map((r) => ({ name: r.name, ok: r.ok, ...(r.mismatch !== undefined ? { mismatch: r.mismatch } : {}), runs: r.runs })) };
    out(JSON.stringify(doc, null, 2) + "\n");
  } else {
    const summary = `${passed} passed, ${failed} failed`;
    out((failed > 0 ? c.red(summary) : summary) + "\n");
  }
  return failed > 0 ? EXIT.FAIL : EXIT.OK;
}

/** Adds `conform` to the raftlab program. */
export function registerConformCommand(program: Command): void {
  program
    .command("conform")
    .summary("drive one peer with scripted RPCs and check its replies and persisted state against Figure 2, case by case")
    .description(
      `Drives a single peer (S0 of 3) with scripted RequestVote, AppendEntries and InstallSnapshot sequences and checks its replies, getState(), applyCh and persisted state against Figure 2 (and Figure 13): ${CONFORM_CASES.length} cases, each named after the rule it checks. Follower cases also run once per pair of consecutive steps with the peer crashed and restarted from its persisted state in between; the results must be the same. Time is virtual.\n` +
        "Your Raft must use the conventional names: methods Raft.RequestVote, Raft.AppendEntries, Raft.InstallSnapshot; Figure 2's argument and reply fields (term, candidateId, lastLogIndex, lastLogTerm, voteGranted, leaderId, prevLogIndex, prevLogTerm, entries, leaderCommit, success, lastIncludedIndex, lastIncludedTerm, data); entries as {term, command}.\n" +
        "Prints one line per case: ✓ or ✗, the rule, and for ✗ the first mismatch; then a last line 'N passed, N failed'.\n" +
        `Exit codes: 0 all passed, 1 a case failed, ${EXIT_USAGE_TEXT}, 137 a Raft blocked the thread past --timeout.\n` +
        "Examples:\n" +
        "  raftlab conform\n" +
        "  raftlab conform --impl ./my-raft/dist/raft.js\n" +
        "  raftlab conform RequestVote snapshot      (only cases whose names contain either)\n" +
        "  raftlab conform --json > conform.json",
    )
    .argument("[cases...]", "only the cases whose name contains one of these fragments (case-insensitive); none: all")
    .option("--impl <module>", "your own Raft: a JS module exporting make (MakeRaft); default: raftlab's Raft")
    .option("-s, --seed <n>", "seed of the peer's random numbers (its election timeouts); default 1", nonNegativeInt("--seed"))
    .option("-t, --timeout <sec>", `wall-clock limit per case, against a Raft that blocks the thread (default ${DEFAULT_CASE_TIMEOUT_SEC})`, positiveSeconds)
    .option("--json", "print one JSON document {impl, passed, failed, cases: [{name, ok, mismatch?, runs}]} instead of lines")
    .option("--list", "list the cases (or those matching) without running them")
    .action(async (patterns: string[], flags: ConformFlags) => {
      process.exitCode = await conformAction(patterns, flags);
    });
}
