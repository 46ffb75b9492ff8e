// Runs the conformance cases against one Raft: each case on a fresh peer (S0 of three), and each
// follower-side case again once per pair of consecutive steps with the peer crashed and restarted from
// its persisted state in between. A case passes when every one of those runs passes.

import type { MakeRaft } from "@raftlab/raft";
import type { ConformCase } from "./case.js";
import { APPEND_CASES } from "./cases-append.js";
import { LEADER_CASES } from "./cases-leader.js";
import { SNAPSHOT_CASES } from "./cases-snapshot.js";
import { VOTE_CASES } from "./cases-vote.js";
import { CaseFailure, ConformPeer, oneLine } from "./peer.js";
import { ME, Script } from "./script.js";

export type { ConformCase } from "./case.js";

/** Every case, in the order `raftlab conform` prints them. */
export const CONFORM_CASES: readonly ConformCase[] = [...APPEND_CASES, ...VOTE_CASES, ...SNAPSHOT_CASES, ...LEADER_CASES];

/** Peers in the cluster the script simulates (the peer under test is S0). */
export const CONFORM_PEERS = 3;

export interface ConformResult {
  readonly name: string;
  readonly ok: boolean;
  /** The first mismatch (absent when the case passed), prefixed by the restart point when one made it fail. */
  readonly mismatch?: string;
  /** How many runs of the case were made (1 + one per restart point). */
  readonly runs: number;
}

export interface ConformOptions {
  /** Only the cases whose name includes one of these fragments (case-insensitive); none: all. */
  readonly only?: readonly string[];
  /** Seed of the peer's random numbers (election timeouts). */
  readonly seed?: number;
  /** Called before each case starts (the CLI arms its watchdog here). */
  readonly onCaseStart?: (c: ConformCase) => void;
}

/**
 * One run of a case: fresh peer, steps in order, a crash and restart after step `restartAfter` (1-based;
 * 0: none). Returns the first mismatch, or null.
 */
async function runOnce(make: MakeRaft, c: ConformCase, restartAfter: number, seed: number): Promise<string | null> {
  const peer = new ConformPeer(make, CONFORM_PEERS, ME, seed);
  // A rejection or exception of the peer's own async code that nobody handles belongs to this case.
  const stray = (e: unknown): void => peer.report(e);
  process.on("unhandledRejection", stray);
  process.on("uncaughtException", stray);
  try {
    await peer.boot();
    const s = new Script(peer);
    for (let i = 0; i < c.steps.length; i++) {
      if (restartAfter > 0 && i === restartAfter) await peer.restart();
      const step = c.steps[i];
      if (step !== undefined) await step(s);
    }
    return null;
  } catch (e) {
    if (e instanceof CaseFailure) return e.message;
    return `the peer under test threw: ${oneLine(e)}`;
  } finally {
    process.off("unhandledRejection", stray);
    process.off("uncaughtException", stray);
    try {
      peer.kill();
    } catch {
      // a peer whose kill() throws has already failed or passed; nothing more to check
    }
  }
}

/** Runs one case (and its restart variants) and reports the first mismatch. */
export async function runCase(make: MakeRaft, c: ConformCase, seed = 1): Promise<ConformResult> {
  let runs = 1;
  const first = await runOnce(make, c, 0, seed);
  if (first !== null) return { name: c.name, ok: false, mismatch: first, runs };
  if (c.restarts) {
    for (let k = 1; k < c.steps.length; k++) {
      runs++;
      const m = await runOnce(make, c, k, seed);
      if (m !== null) return { name: c.name, ok: false, mismatch: `with a crash and restart after step ${k}: ${m}`, runs };
    }
  }
  return { name: c.name, ok: true, runs };
}

/** The cases `only` selects (all when empty). */
export function selectCases(only: readonly string[] = []): ConformCase[] {
  if (only.length === 0) return [...CONFORM_CASES];
  const ps = only.map((p) => p.toLowerCase());
  return CONFORM_CASES.filter((c) => ps.some((p) => c.name.toLowerCase().includes(p)));
}

/**
 * Runs the conformance cases against `make` (a lab-style Raft) and returns one result per case, in
 * order. Never throws for a failing Raft: a throw, a hang in virtual time or a wrong reply is a mismatch.
 */
export async function runConformance(make: MakeRaft, options: ConformOptions = {}, onResult?: (r: ConformResult) => void): Promise<ConformResult[]> {
  const results: ConformResult[] = [];
  for (const c of selectCases(options.only)) {
    options.onCaseStart?.(c);
    const r = await runCase(make, c, options.seed ?? 1);
    results.push(r);
    onResult?.(r);
  }
  return results;
}
