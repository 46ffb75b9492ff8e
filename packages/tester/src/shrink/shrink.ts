// Shrinking a failing run to the faults that matter, delta-debugging style: record the seed run's
// schedule, then remove faults (whole kinds first, then ever smaller slices in time order) and keep a
// removal when the replayed run still fails with the same signature (src/runs/signature.ts: the same
// broken rule, or the same message with numbers masked). Each kept candidate is re-recorded from the
// run it produced, so the schedule always says exactly what that run did: faults after an earlier
// failure are gone with the rest of the script, and delays are removed (set to zero) like any fault.
//
// Deterministic for the same (test, seed, impl): candidates are tried in a fixed order and each run is
// a function of its schedule. Only the budget (wall clock) can cut the search short; the best schedule
// so far is returned then. `shrinkRun` is the API `raftlab shrink` (and a batch) calls.

import type { MakeRaft, TraceSink } from "@raftlab/raft";
import { failureSignature } from "../runs/signature.js";
import { runTest, TESTS, UnknownPatternError, type RunFailure, type RunResult } from "../runner.js";
import { countFaults, listFaults, withoutFaults, type Fault, type FaultKind } from "../schedule/faults.js";
import type { Schedule } from "../schedule/format.js";
import { ScheduleSession } from "../schedule/session.js";

export interface ShrinkOptions {
  /** The Raft under test; ours by default. */
  readonly impl?: MakeRaft;
  /** The --impl path, recorded in the schedule for its replay command. */
  readonly implPath?: string;
  /** Wall-clock budget of the search, in ms (default 60 s). */
  readonly budgetMs?: number;
  /** At most this many candidate runs (default: no limit but the budget). */
  readonly maxRuns?: number;
  readonly strict?: boolean;
  /** Called after each candidate run. */
  readonly onProgress?: (p: ShrinkProgress) => void;
}

export interface ShrinkProgress {
  readonly runs: number;
  readonly faults: number;
  readonly originalFaults: number;
  readonly elapsedMs: number;
}

/** One end of the search: a schedule and the run it gives. */
export interface ShrinkPoint {
  readonly schedule: Schedule;
  readonly faults: number;
  /** Trace events of the run. */
  readonly events: number;
  readonly virtualMs: number;
  readonly failure: RunFailure | null;
  readonly signature: string | null;
}

export interface ShrinkResult {
  /** "passes": the given run does not fail, so there is nothing to shrink. */
  readonly status: "shrunk" | "passes";
  readonly test: string;
  readonly seed: number;
  readonly original: ShrinkPoint;
  readonly shrunk: ShrinkPoint;
  /** The shrunk run fails with the original's signature. */
  readonly sameFailure: boolean;
  /** The faults the shrunk schedule still injects, in time order. */
  readonly faults: readonly Fault[];
  /** Candidate runs tried. */
  readonly runs: number;
  readonly wallMs: number;
  /** Why the search stopped: no smaller schedule fails the same way, or a limit. */
  readonly stoppedBy: "done" | "budget" | "runs";
}

export const DEFAULT_SHRINK_BUDGET_MS = 60_000;

/** Fault kinds tried as a whole first, cheapest explanation first. */
const KIND_ORDER: readonly FaultKind[] = ["unreliable", "reordering", "delay", "hold", "drop-reply", "drop", "disconnect", "restart", "crash"];

class OutOfBudget extends Error {
  constructor(readonly why: "budget" | "runs") {
    super(why);
  }
}

interface Measured {
  readonly result: RunResult;
  readonly schedule: Schedule;
  readonly events: number;
}

/** Runs `test` (replaying `replay`, or from `seed`) and records its schedule. */
async function record(
  test: string,
  seed: number,
  replay: Schedule | undefined,
  opts: ShrinkOptions,
  counted: boolean,
  wallTimeoutMs?: number,
): Promise<Measured> {
  const servers = TESTS.find((t) => t.name === test)?.servers ?? 0;
  const session = new ScheduleSession({
    test,
    seed,
    servers,
    ...(replay !== undefined ? { replay } : {}),
    ...(opts.implPath !== undefined ? { impl: opts.implPath } : {}),
  });
  let events = 0;
  const trace: TraceSink | null = counted ? () => void events++ : null;
  const result = await runTest(test, {
    seed,
    trace,
    schedule: session,
    ...(opts.impl !== undefined ? { impl: opts.impl } : {}),
    ...(opts.strict === true ? { strict: true } : {}),
    ...(wallTimeoutMs !== undefined ? { wallTimeoutMs } : {}),
  });
  return { result, schedule: session.schedule(), events };
}

function point(m: Measured): ShrinkPoint {
  const failure = m.result.failure ?? null;
  return {
    schedule: m.schedule,
    faults: countFaults(m.schedule),
    events: m.events,
    virtualMs: m.result.virtualMs,
    failure,
    signature: failure === null ? null : failureSignature(failure),
  };
}

/** The schedule kept so far, and its number of faults. */
interface BestSoFar {
  best: Schedule;
  bestFaults: number;
}

/** The search, each candidate through `tryCandidate` (which updates `s` when it keeps one). */
async function searchFewerFaults(s: BestSoFar, tryCandidate: (candidate: Schedule) => Promise<boolean>): Promise<void> {
  // Whole kinds first: "the network's unreliability does not matter" costs one run.
  for (const kind of KIND_ORDER) {
    const of = listFaults(s.best).filter((f) => f.kind === kind);
    if (of.length > 0 && of.length < s.bestFaults) await tryCandidate(withoutFaults(s.best, of));
  }
  // Then ddmin over the faults in time order: remove one of n slices, refine when none can go.
  let n = 2;
  for (;;) {
    const faults = listFaults(s.best);
    if (faults.length === 0) break;
    n = Math.min(n, faults.length);
    let removed = false;
    for (const slice of slices(faults, n)) {
      if (await tryCandidate(withoutFaults(s.best, slice))) {
        removed = true;
        n = Math.max(n - 1, 2);
        break;
      }
    }
    if (removed) continue;
    if (n >= faults.length) break;
    n = Math.min(faults.length, n * 2);
  }
}

/** Shrinks the failing run of `test` at `seed` to a schedule with fewer faults that fails the same way. */
export async function shrinkRun(test: string, seed: number, opts: ShrinkOptions = {}): Promise<ShrinkResult> {
  if (!TESTS.some((t) => t.name === test)) throw new UnknownPatternError(`no test named "${test}" (try: raftlab list)`);
  const wall0 = performance.now();
  const budgetMs = opts.budgetMs ?? DEFAULT_SHRINK_BUDGET_MS;
  const maxRuns = opts.maxRuns ?? Infinity;
  const original = point(await record(test, seed, undefined, opts, true));
  if (original.failure === null) {
    return {
      status: "passes",
      test,
      seed,
      original,
      shrunk: original,
      sameFailure: false,
      faults: listFaults(original.schedule),
      runs: 0,
      wallMs: performance.now() - wall0,
      stoppedBy: "done",
    };
  }
  const target = original.signature;
  const state: BestSoFar = { best: original.schedule, bestFaults: original.faults };
  let runs = 0;

  /** Replays a candidate; keeps it (re-recorded) when it fails the same way with fewer faults. */
  const tryCandidate = async (candidate: Schedule): Promise<boolean> => {
    const left = budgetMs - (performance.now() - wall0);
    if (left <= 0) throw new OutOfBudget("budget");
    if (runs >= maxRuns) throw new OutOfBudget("runs");
    runs++;
    const m = await record(test, seed, candidate, opts, false, Math.max(1000, left));
    const failure = m.result.failure;
    const faults = countFaults(m.schedule);
    const kept = failure !== undefined && failureSignature(failure) === target && faults < state.bestFaults;
    if (kept) {
      state.best = m.schedule;
      state.bestFaults = faults;
    }
    opts.onProgress?.({ runs, faults: state.bestFaults, originalFaults: original.faults, elapsedMs: performance.now() - wall0 });
    return kept;
  };

  let stoppedBy: ShrinkResult["stoppedBy"] = "done";
  try {
    await searchFewerFaults(state, tryCandidate);
  } catch (e) {
    if (!(e instanceof OutOfBudget)) throw e;
    stoppedBy = e.why;
  }
  const shrunk = state.best === original.schedule ? original : point(await record(test, seed, state.best, opts, true));
  return {
    status: "shrunk",
    test,
    seed,
    original,
    shrunk,
    sameFailure: shrunk.signature === target,
    faults: listFaults(shrunk.schedule),
    runs,
    wallMs: performance.now() - wall0,
    stoppedBy,
  };
}

/** `items` cut into `n` contiguous slices of near-equal length. */
function slices<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)));
  return out.filter((s) => s.length > 0);
}
