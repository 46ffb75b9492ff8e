// The `conform` subcommand of the raftlab CLI: the conformance cases against our Raft or --impl, one
// line per case, a last line "N passed, N failed" (or one JSON document with --json).

import { Command } from "commander";
import { nonNegativeInt, positiveSeconds } from "../cli-args.js";
import { escapeControls } from "@raftlab/raft";
import { EXIT, EXIT_USAGE_TEXT, styleFor } from "@raftlab/raft/terminal";
import { ImplLoadError } from "../runner.js";
import { childScriptPath, describeEnd, IsolatedChild, type ChildEnd } from "../isolation/supervisor.js";
import type { ConformChildMessage, ConformJob } from "./job.js";
import { CONFORM_CASES, selectCases, type ConformResult } from "./run.js";

/** Default wall-clock limit per case, in seconds (a case takes milliseconds; this only stops a busy loop). */
const DEFAULT_CASE_TIMEOUT_SEC = 60;

interface ConformFlags {
  readonly impl?: string;
  readonly seed?: number;
  readonly timeout?: number;
  readonly json?: boolean;
  readonly list?: boolean;
}

/** What one child did: the results it reported, and how it ended. */
interface ChildRun {
  readonly results: ConformResult[];
  readonly inFlight: string | null;
  readonly end: ChildEnd;
  readonly endedCleanly: boolean;
}

/**
 * Runs `cases` in one isolated child (conform/child.ts): its results arrive over the authenticated
 * channel; a case over the wall-clock limit (a Raft that blocks the thread) ends the child, and so does
 * a forged message. Rejects with an ImplLoadError when the Raft cannot be loaded.
 */
function runInChild(job: ConformJob, timeoutSec: number, onResult: (r: ConformResult) => void): Promise<ChildRun> {
  return new Promise<ChildRun>((resolve, reject) => {
    const results: ConformResult[] = [];
    let inFlight: string | null = null;
    let ready = false;
    let ended = false;
    let timer: NodeJS.Timeout | null = null;
    const disarm = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    };
    const child = new IsolatedChild(childScriptPath("conform/child.js"), job, {
      onMessage: (raw) => {
        const m = raw as ConformChildMessage;
        if (m.t === "load-error" && !ready) {
          child.stop({ type: "exit", code: 0, signal: null });
          reject(new ImplLoadError(String(m.message)));
        } else if (m.t === "ready") ready = true;
        else if (m.t === "start") {
          inFlight = String(m.name);
          disarm();
          timer = setTimeout(() => {
            process.stderr.write(
              `raftlab conform: "${escapeControls(inFlight ?? "")}": no result after ${timeoutSec} s of wall-clock time and the Raft does not yield (a busy loop?); killed (--timeout)\n`,
            );
            child.stop({ type: "killed", why: `was killed after ${timeoutSec} s without a result (--timeout)` });
          }, timeoutSec * 1000);
        } else if (m.t === "result") {
          disarm();
          const r = m.result;
          if (r.name !== inFlight) {
            child.stop({ type: "forged", why: `a result for ${escapeControls(String(r.name))} while ${inFlight ?? "no case"} ran` });
            return;
          }
          inFlight = null;
          const result: ConformResult = {
            name: r.name,
            ok: r.ok === true,
            ...(typeof r.mismatch === "string" ? { mismatch: r.mismatch } : {}),
            runs: Number(r.runs),
          };
          results.push(result);
          onResult(result);
        } else if (m.t === "end") ended = true;
      },
      // What the Raft printed: data, escaped, on stderr (stdout carries only the results).
      onOutput: (text) => process.stderr.write(escapeControls(text, { tab: true, newline: true })),
      onEnd: (end) => {
        disarm();
        if (!ready && end.type !== "forged") {
          reject(new ImplLoadError(`cannot load ${job.impl ?? "the Raft"}: the test process ${describeEnd(end)} while loading it`));
          return;
        }
        resolve({ results, inFlight, end, endedCleanly: ended });
      },
    });
  });
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
  const out = process.stdout.write.bind(process.stdout);
  const c = styleFor(process.stdout);
  const line = (r: ConformResult): void => {
    if (flags.json === true) return;
    const text = r.ok ? `${c.green("✓")} ${r.name}` : `${c.red("✗")} ${r.name} -- ${escapeControls(r.mismatch ?? "")}`;
    out(text + "\n");
  };
  const timeoutSec = flags.timeout ?? DEFAULT_CASE_TIMEOUT_SEC;
  // The cases run in isolated children; one that ends early fails the case it was on, and a new child
  // runs the rest.
  const results: ConformResult[] = [];
  let remaining = cases.map((k) => k.name);
  while (remaining.length > 0) {
    let run: ChildRun;
    try {
      run = await runInChild({ impl: flags.impl ?? null, seed: flags.seed ?? 1, cases: remaining }, timeoutSec, line);
    } catch (e) {
      if (e instanceof ImplLoadError) {
        process.stderr.write(`raftlab conform: --impl: ${escapeControls(e.message)}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
    results.push(...run.results);
    const done = new Set(run.results.map((r) => r.name));
    remaining = remaining.filter((n) => !done.has(n));
    const lost = run.inFlight ?? remaining[0];
    if (lost === undefined) break;
    const end: ChildEnd = run.endedCleanly ? { type: "exit", code: 0, signal: null } : run.end;
    const lostResult: ConformResult = {
      name: lost,
      ok: false,
      mismatch: `${end.type === "killed" ? "[timeout] " : "[crash] "}the test process ${describeEnd(end)} ${run.inFlight !== null ? "before reporting the case" : "before running the case"}`,
      runs: 1,
    };
    results.push(lostResult);
    line(lostResult);
    remaining = remaining.filter((n) => n !== lost);
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (flags.json === true) {
    const doc = {
      impl: flags.impl ?? null,
      passed,
      failed,
      cases: results.map((r) => ({ name: r.name, ok: r.ok, ...(r.mismatch !== undefined ? { mismatch: r.mismatch } : {}), runs: r.runs })),
    };
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
        `Exit codes: 0 all passed, 1 a case failed, ${EXIT_USAGE_TEXT}; a Raft that blocks the thread past --timeout is killed and that case fails as a timeout.\n` +
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
