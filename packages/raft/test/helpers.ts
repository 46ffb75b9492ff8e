// Helpers for driving the pure core directly in unit tests.
import type { Value } from "../src/api.js";
import {
  RaftCore,
  RaftLog,
  decodeState,
  encodeState,
  RPC_APPEND_ENTRIES,
  RPC_INSTALL_SNAPSHOT,
  RPC_REQUEST_VOTE,
  type AppendEntriesArgs,
  type CoreConfig,
  type InstallSnapshotArgs,
  type OutRequest,
  type PersistedState,
  type RequestVoteArgs,
  type StepOutput,
} from "../src/core/index.js";

export const HB = 100;
export const ET_MIN = 300;

export function config(over: Partial<CoreConfig> = {}): CoreConfig {
  return {
    me: 0,
    peerCount: 3,
    electionTimeoutMinMs: ET_MIN,
    electionTimeoutMaxMs: 600,
    heartbeatMs: HB,
    maxEntriesPerAppend: 64,
    maxBytesPerAppend: 64 * 1024,
    maxAppliesPerStep: 1024,
    tracing: false,
    ...over,
  };
}

/** A random source that always returns 0, so every election timeout is exactly ET_MIN. */
export const zeroRng = { next: (): number => 0 };

export interface BootSpec {
  me?: number;
  n?: number;
  term?: number;
  votedFor?: number | null;
  /** Terms of the entries after the snapshot; entry i has command `c<i>`. */
  terms?: number[];
  snapshot?: { index: number; term: number; data?: Uint8Array };
  tracing?: boolean;
  now?: number;
}

export function storedState(spec: BootSpec): { raftState: Uint8Array; snapshot: Uint8Array } {
  const log = new RaftLog();
  if (spec.snapshot) log.restore(spec.snapshot.index, spec.snapshot.term, [], []);
  for (const t of spec.terms ?? []) log.append(t, `c${log.lastIndex() + 1}`);
  const snapshot = spec.snapshot ? (spec.snapshot.data ?? new Uint8Array([1, 2, 3])) : new Uint8Array(0);
  const raftState = encodeState(spec.term ?? Math.max(0, ...(spec.terms ?? [0])), spec.votedFor ?? null, 0, log, snapshot.length > 0 ? snapshot : null);
  return { raftState, snapshot };
}

export function boot(spec: BootSpec = {}): { core: RaftCore; out: StepOutput } {
  const cfg = config({
    me: spec.me ?? 0,
    peerCount: spec.n ?? 3,
    tracing: spec.tracing ?? false,
  });
  const { core, output } = RaftCore.boot(cfg, zeroRng, storedState(spec), spec.now ?? 0);
  return { core, out: output };
}

/** Times out, then collects votes from a majority: returns the output of becoming leader. */
export function elect(core: RaftCore, now = 1_000, n = 3): StepOutput {
  const out = core.step({ kind: "tick", now });
  const rvs = out.send.filter((r) => r.method === RPC_REQUEST_VOTE);
  let last = out;
  for (const req of rvs) {
    if (core.isLeader) break;
    last = core.step({ kind: "reply", now: now + 1, request: req, reply: { term: core.term, voteGranted: true } });
  }
  if (!core.isLeader) throw new Error(`elect: not leader after ${rvs.length} votes of ${n}`);
  return last;
}

export function rv(args: RequestVoteArgs, now = 10): { kind: "request"; now: number; method: string; args: Value; id: string } {
  return { kind: "request", now, method: RPC_REQUEST_VOTE, args, id: "x.1" };
}
export function ae(args: Omit<AppendEntriesArgs, "entries" | "leaderCommit"> & { entries?: AppendEntriesArgs["entries"]; leaderCommit?: number }, now = 10) {
  const full: AppendEntriesArgs = { entries: [], leaderCommit: 0, ...args };
  return { kind: "request" as const, now, method: RPC_APPEND_ENTRIES, args: full, id: "x.2" };
}
export function is(args: InstallSnapshotArgs, now = 10) {
  return { kind: "request" as const, now, method: RPC_INSTALL_SNAPSHOT, args, id: "x.3" };
}

export function entries(...specs: [number, Value][]): AppendEntriesArgs["entries"] {
  return specs.map(([term, command]) => ({ term, command }));
}

export function persisted(out: StepOutput, n = 3): PersistedState {
  if (out.persist === null) throw new Error("no persist effect");
  return decodeState(out.persist.state, n);
}

export function aeTo(out: StepOutput, to: number): Extract<OutRequest, { method: typeof RPC_APPEND_ENTRIES }> {
  const r = out.send.find((q) => q.to === to && q.method === RPC_APPEND_ENTRIES);
  if (r === undefined || r.method !== RPC_APPEND_ENTRIES) throw new Error(`no AppendEntries to S${to}`);
  return r;
}

export function aeReply(term: number, success: boolean, x: { xTerm?: number; xIndex?: number; xLen?: number } = {}): Value {
  return { term, success, xTerm: x.xTerm ?? -1, xIndex: x.xIndex ?? -1, xLen: x.xLen ?? 0 };
}

/** The commands of applied command messages, in order. */
export function appliedIndices(out: StepOutput): number[] {
  return out.apply.map((m) => (m.commandValid ? m.commandIndex : -m.snapshotIndex));
}
