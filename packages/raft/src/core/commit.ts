// Commitment (§5.3, §5.4.2) and applying committed entries to the state machine.

import type { ApplyMsg } from "../api.js";
import { assert } from "./assert.js";
import type { NodeState } from "./state.js";

/**
 * Figure 2, leaders: "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N,
 * and log[N].term == currentTerm: set commitIndex = N". Only entries of the current term are committed
 * by counting replicas; earlier ones are committed indirectly (§5.4.2, Figure 8).
 */
export function maybeCommit(s: NodeState): void {
  if (s.role !== "leader") return;
  // The highest index that a majority of peers (this one included) hold: the majority-th largest
  // matchIndex. Peer counts are small, so count rather than sort.
  let n = 0;
  for (let p = 0; p < s.cfg.peerCount; p++) {
    const candidate = matchOf(s, p);
    if (candidate <= n || candidate <= s.commitIndex) continue;
    let holders = 0;
    for (let q = 0; q < s.cfg.peerCount; q++) if (matchOf(s, q) >= candidate) holders++;
    if (holders >= s.majority) n = candidate;
  }
  if (n <= s.commitIndex) return;
  if (s.log.termAt(n) !== s.currentTerm) return;
  advanceCommitIndex(s, n, "replicated on a majority");
}

function matchOf(s: NodeState, p: number): number {
  return p === s.me ? s.log.lastIndex() : (s.progress[p]?.matchIndex ?? 0);
}

export function advanceCommitIndex(s: NodeState, index: number, why: string): void {
  if (index <= s.commitIndex) return;
  assert(index <= s.log.lastIndex(), `committing ${index} beyond last log index ${s.log.lastIndex()}`);
  const from = s.commitIndex + 1;
  s.commitIndex = index;
  if (s.tracing) s.traceIndex("Commit", "CMIT", `S${s.me} commit [${from}..${index}] (${why})`, index);
}

/**
 * Figure 2, all servers: "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied]".
 * At most `maxAppliesPerStep` per step; the core asks to be woken at once for the rest.
 */
export function collectApplies(s: NodeState): void {
  const limit = Math.min(s.commitIndex, s.lastApplied + s.cfg.maxAppliesPerStep);
  if (s.lastApplied >= limit) return;
  const out = s.out.apply;
  while (s.lastApplied < limit) {
    const index = ++s.lastApplied;
    const msg: ApplyMsg = { commandValid: true, command: s.log.entry(index).command, commandIndex: index, snapshotValid: false };
    out.push(msg);
    if (s.tracing) s.traceIndex("Apply", "APLY", `S${s.me} apply ${index}`, index);
  }
}
