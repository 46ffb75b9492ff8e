// Figure 5: what one persist costs as the log grows (issue 13: "persist cost must grow with what
// changed, not with log length"). A follower RaftCore holding N entries receives AppendEntries that
// each append one entry at the end, the step that must persist; the persist effect is saved into a
// MemoryPersister, as the driver does. Measured at N = 100, 1,000 and 10,000, against a heartbeat step
// on the same core (the same handler, nothing to persist), so the difference is the persist's share.
//
// The reference column is what layout version 1 did on top of that at the same length: two
// whole-state copies into fresh arrays (the core's encode, then the persister's slice).

import { DEFAULT_TIMING, MemoryPersister, RaftCore, RPC_APPEND_ENTRIES, type CoreConfig, type StepOutput } from "@raftlab/raft";
import type { Figure, Progress } from "./types.js";

export interface PersistOptions {
  readonly lengths?: readonly number[];
  /** Measured rounds per length (each a fresh core). */
  readonly rounds?: number;
  /** Appending steps per round. */
  readonly steps?: number;
}

export interface PersistRow {
  readonly entries: number;
  /** The persisted state's size at `entries` entries. */
  readonly stateBytes: number;
  /** CPU µs per heartbeat step (nothing to persist) on the same follower: median over rounds. */
  readonly heartbeatStepUs: number;
  /** CPU µs per step appending one entry, which builds the persist effect (not saved): median. */
  readonly appendStepUs: number;
  /** The same with each persist effect saved into a MemoryPersister (its copy of the state): median. */
  readonly savedStepUs: number;
  /** What layout 1's two whole-state copies into fresh arrays cost at this size, µs: median. */
  readonly v1CopiesUs: number;
}

/** Our Raft's own timing and batching (the driver's defaults), as a follower of 3, trace off. */
const CONFIG: CoreConfig = { me: 1, peerCount: 3, ...DEFAULT_TIMING, tracing: false };

const TERM = 1;

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A command about the size of the lab's (a small integer or short string). */
function command(i: number): number {
  return 1_000_000 + i;
}

function appendEntries(now: number, prevLogIndex: number, count: number) {
  const entries = Array.from({ length: count }, (_, k) => ({ term: TERM, command: command(prevLogIndex + 1 + k) }));
  return {
    kind: "request" as const,
    now,
    method: RPC_APPEND_ENTRIES,
    args: { term: TERM, leaderId: 0, prevLogIndex, prevLogTerm: prevLogIndex === 0 ? 0 : TERM, entries, leaderCommit: 0 },
    id: `0.1.${now}`,
  };
}

function save(p: MemoryPersister, out: StepOutput): void {
  if (out.persist !== null) p.save(out.persist.state, out.persist.snapshot);
}

/** A follower whose log holds `n` entries, and its persister. */
function followerWith(n: number): { core: RaftCore; persister: MemoryPersister } {
  const persister = new MemoryPersister();
  const { core, output } = RaftCore.boot(CONFIG, { next: () => 0.5 }, { raftState: new Uint8Array(0), snapshot: new Uint8Array(0) }, 0);
  save(persister, output);
  for (let sent = 0; sent < n;) {
    const batch = Math.min(1_000, n - sent);
    save(persister, core.step(appendEntries(1, sent, batch)));
    sent += batch;
  }
  if (core.lastLogIndex !== n) throw new Error(`persist bench: the follower holds ${core.lastLogIndex} entries, not ${n}`);
  return { core, persister };
}

/** CPU µs per step of `steps` single-entry appends at the end of a log of `n`, saving each persist or not. */
function appends(n: number, steps: number, saving: boolean): { us: number; stateBytes: number } {
  const { core, persister } = followerWith(n);
  const stateBytes = persister.raftStateSize();
  let now = 2;
  const t = cpuUs();
  for (let i = 0; i < steps; i++) {
    const out = core.step(appendEntries(now++, n + i, 1));
    if (out.persist === null) throw new Error("persist bench: an append did not persist");
    if (saving) persister.save(out.persist.state, out.persist.snapshot);
  }
  return { us: (cpuUs() - t) / steps, stateBytes };
}

/** CPU µs per heartbeat step (nothing to persist) on a follower holding `n` entries. */
function heartbeats(n: number, steps: number): number {
  const { core } = followerWith(n);
  let now = 2;
  const t = cpuUs();
  for (let i = 0; i < steps; i++) {
    const out = core.step(appendEntries(now++, n, 0));
    if (out.persist !== null) throw new Error("persist bench: a heartbeat persisted");
  }
  return (cpuUs() - t) / steps;
}

/** Layout 1's extra work per persist at `bytes`: a fresh array with the state copied in, then the persister's copy of it. */
function v1Copies(bytes: number, reps: number): number {
  const state = new Uint8Array(bytes).fill(7);
  let kept = 0;
  const t = cpuUs();
  for (let i = 0; i < reps; i++) {
    const out = new Uint8Array(bytes);
    out.set(state);
    kept += out.slice().length;
  }
  const us = (cpuUs() - t) / reps;
  if (kept !== bytes * reps) throw new Error("unreachable");
  return us;
}

/** Each length's medians over `rounds` rounds (after a warm-up round), the lengths in rotated order. */
function samplePersist(lengths: readonly number[], rounds: number, steps: number): PersistRow[] {
  const samples = lengths.map(() => ({ hb: [] as number[], core: [] as number[], saved: [] as number[], v1: [] as number[], stateBytes: 0 }));
  // The first round warms the JIT at every length and is not counted; lengths rotate between rounds.
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < lengths.length; k++) {
      const i = (k + r) % lengths.length;
      const n = lengths[i] as number;
      const hb = heartbeats(n, steps);
      const core = appends(n, steps, false);
      const saved = appends(n, steps, true);
      const v1 = v1Copies(saved.stateBytes, steps);
      if (r === 0) continue;
      const acc = samples[i] as (typeof samples)[number];
      acc.hb.push(hb);
      acc.core.push(core.us);
      acc.saved.push(saved.us);
      acc.v1.push(v1);
      acc.stateBytes = saved.stateBytes;
    }
  }
  return lengths.map((n, i) => {
    const acc = samples[i] as (typeof samples)[number];
    return {
      entries: n,
      stateBytes: acc.stateBytes,
      heartbeatStepUs: median(acc.hb),
      appendStepUs: median(acc.core),
      savedStepUs: median(acc.saved),
      v1CopiesUs: median(acc.v1),
    };
  });
}

export function measurePersist(options: PersistOptions, progress: Progress): { rows: PersistRow[]; figure: Figure } {
  const lengths = options.lengths ?? [100, 1_000, 10_000];
  const rounds = options.rounds ?? 15;
  const steps = options.steps ?? 200;
  progress(`persist: ${rounds} rounds of ${steps} appends at ${lengths.map((n) => n.toLocaleString("en-US")).join(", ")} entries…`);
  const rows = samplePersist(lengths, rounds, steps);
  const first = rows[0] as PersistRow;
  const last = rows[rows.length - 1] as PersistRow;
  const growth = last.appendStepUs / first.appendStepUs;
  const fmt = (x: number, d = 2): string => x.toFixed(d);
  const figure: Figure = {
    id: "persist",
    title: "5. Persist: CPU per persist as the log grows (follower appending one entry per AppendEntries)",
    tables: [
      {
        columns: [
          "log entries",
          "state bytes",
          "heartbeat step µs",
          "append step µs",
          `× at ${first.entries.toLocaleString("en-US")}`,
          "+ save µs",
          `× at ${first.entries.toLocaleString("en-US")}`,
          "v1's 2 whole copies µs",
        ],
        rows: rows.map((r) => [
          r.entries.toLocaleString("en-US"),
          r.stateBytes.toLocaleString("en-US"),
          fmt(r.heartbeatStepUs),
          fmt(r.appendStepUs),
          `${fmt(r.appendStepUs / first.appendStepUs)}×`,
          fmt(r.savedStepUs),
          `${fmt(r.savedStepUs / first.savedStepUs)}×`,
          fmt(r.v1CopiesUs),
        ]),
      },
    ],
    goals: [
      {
        text: "the core's persist cost grows with what changed, not with log length",
        met: growth <= 1.5,
        detail: `a step appending one entry (and building its persist) costs ${fmt(growth)}× at ${last.entries.toLocaleString("en-US")} entries what it costs at ${first.entries.toLocaleString("en-US")}, with a ${fmt(last.entries / first.entries, 0)}× longer log (goal: at most 1.5×); saved into the persister, ${fmt(last.savedStepUs / first.savedStepUs)}×`,
      },
    ],
    notes: [
      `Each measurement: a fresh follower RaftCore holding N entries (3 peers, trace off, commands like the lab's) handles ${steps} steps; CPU per step (process.cpuUsage), median of ${rounds} rounds after one warm-up round, the lengths in rotated order. State bytes: at N entries.`,
      "heartbeat step: an AppendEntries with no entries (nothing to persist). append step: an AppendEntries of one entry at the end of the log, whose persist effect (layout 2: the kept records and their running CRC-32, plus a new trailer and checksum) is built but not saved. + save: the same, saving each effect into a MemoryPersister, as the driver does; its copy of the whole state (a memcpy into a reused buffer) is the one part that still grows with the log, as labrpc's Persister semantics (save stores a copy) require.",
      "v1's 2 whole copies: what layout 1 added on top per persist at that state size, measured here on the same bytes: the state copied into a fresh array by the core, then again by the persister.",
    ],
    data: { lengths, rounds, steps, rows },
  };
  return { rows, figure };
}
