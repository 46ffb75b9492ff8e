// Turns one finished iteration (its exit, and what the parser read of its output) into result records:
// one per Go test with --split-tests or `go test -v`, else one for the whole iteration.
//
// Records are the batch runner's RunRecord, so the batch's tallies, triage grouping, reports and merge
// work on them unchanged: `test` is the Go test (or the command's label), `seed` is the iteration
// (the RAFTLAB_ITER the command saw), and there is no virtual time, trace or RPC count.

import type { FailureKind, RunRecord } from "../runs/record.js";
import type { FailureLine, GoTestParser } from "./gotest.js";
import type { IterationOutcome } from "./process.js";
import { stressSignature } from "./signature.js";

/** A stress result: a batch RunRecord plus the Go test a re-run command should select. */
export interface StressRun extends RunRecord {
  /** The Go test that failed (for `go test -run '^TestX$'`); null when unknown or for a passing run. */
  readonly goTest: string | null;
}

export interface IterationResults {
  readonly runs: StressRun[];
  readonly ok: boolean;
  /** The first failing run, for the live FAIL line. */
  readonly firstFailure: StressRun | null;
}

export interface ResultContext {
  readonly iteration: number;
  /** The name of the whole-iteration result (the command, shortened). */
  readonly label: string;
  readonly splitTests: boolean;
  readonly timeoutSec: number;
  /** The saved output file name, when the iteration's output is kept. */
  readonly log: string | null;
  /** The parser's clock now, to time a test that never finished. */
  readonly nowMs: number;
}

/** One result record; `failure` null for a pass. */
export function stressRun(
  ctx: Pick<ResultContext, "iteration" | "log">,
  test: string,
  wallMs: number,
  failure: { kind: FailureKind; message: string; goTest: string | null } | null,
): StressRun {
  return {
    test,
    seed: ctx.iteration,
    ok: failure === null,
    signature: failure === null ? null : stressSignature(failure.kind, failure.message),
    kind: failure?.kind ?? null,
    message: failure?.message ?? null,
    invariant: null,
    virtualMs: null,
    wallMs,
    rpcs: null,
    bytes: null,
    cmds: null,
    peers: null,
    trace: null,
    log: ctx.log,
    traceTruncated: false,
    goTest: failure?.goTest ?? null,
  };
}

/** Why a whole iteration failed, when no failure line says it better. */
function exitReason(outcome: IterationOutcome, timeoutSec: number): { kind: FailureKind; message: string } {
  if (outcome.spawnError !== null) return { kind: "crash", message: `could not start: ${outcome.spawnError}` };
  if (outcome.timedOut) return { kind: "timeout", message: `killed after ${timeoutSec} s (--timeout)` };
  if (outcome.signal !== null) return { kind: "crash", message: `killed by ${outcome.signal}` };
  return { kind: "fail", message: `exit status ${outcome.exitCode ?? "?"}` };
}

function fromLine(line: FailureLine): { kind: FailureKind; message: string } {
  return { kind: line.kind, message: line.text };
}

/** Most test names a whole-iteration timeout message lists. */
const TIMEOUT_NAMES_SHOWN = 5;

function namesOf(tests: readonly string[]): string {
  const more = tests.length > TIMEOUT_NAMES_SHOWN ? `, … ${tests.length - TIMEOUT_NAMES_SHOWN} more` : "";
  return tests.slice(0, TIMEOUT_NAMES_SHOWN).join(", ") + more;
}

export function iterationResults(parser: GoTestParser, outcome: IterationOutcome, ctx: ResultContext): IterationResults {
  parser.end();
  const processFailed = outcome.timedOut || outcome.signal !== null || outcome.spawnError !== null || outcome.exitCode !== 0;
  const runs: StressRun[] = [];
  if (ctx.splitTests && parser.sawRun) {
    for (const t of parser.tests()) {
      if (t.skipped) continue;
      if (t.ok === true) {
        runs.push(stressRun(ctx, t.name, (t.seconds ?? 0) * 1000, null));
        continue;
      }
      const ms = t.seconds !== null ? t.seconds * 1000 : Math.max(0, ctx.nowMs - t.startedMs);
      let why: { kind: FailureKind; message: string };
      if (t.ok === null && outcome.timedOut) why = { kind: "timeout", message: `no result: killed after ${ctx.timeoutSec} s (--timeout) while it ran` };
      else if (t.failure !== null) why = fromLine(t.failure);
      else if (t.ok === null)
        why = {
          kind: exitReason(outcome, ctx.timeoutSec).kind,
          message: `no result: the test binary ended while it ran (${exitReason(outcome, ctx.timeoutSec).message})`,
        };
      else why = { kind: "fail", message: `--- FAIL: ${t.name} (no failure line)` };
      runs.push(stressRun(ctx, t.name, ms, { ...why, goTest: t.name }));
    }
    // A failure no test owns: a build error, a race outside a test, a crash before the first test.
    if (processFailed && !runs.some((r) => !r.ok)) {
      const first = parser.firstFailure();
      const why = outcome.timedOut || first === null ? exitReason(outcome, ctx.timeoutSec) : fromLine(first);
      runs.push(stressRun(ctx, ctx.label, outcome.wallMs, { ...why, goTest: null }));
    }
  } else {
    const first = parser.firstFailure();
    const failed = processFailed;
    const fromExit = outcome.timedOut || outcome.spawnError !== null || first === null;
    let why = !failed ? null : fromExit ? exitReason(outcome, ctx.timeoutSec) : fromLine(first);
    // One result for the whole iteration: a -timeout says which tests it stopped.
    const timedOut = parser.timedOutTests();
    if (why !== null && !fromExit && first?.kind === "timeout" && timedOut.length > 0)
      why = { ...why, message: `${why.message} (running: ${namesOf(timedOut)})` };
    // A test that failed before the iteration hung or could not start did not cause that: re-run it all.
    const goTest = fromExit && first !== null ? null : parser.failingTest();
    runs.push(stressRun(ctx, ctx.label, outcome.wallMs, why === null ? null : { ...why, goTest }));
  }
  const firstFailure = runs.find((r) => !r.ok) ?? null;
  return { runs, ok: firstFailure === null, firstFailure };
}
