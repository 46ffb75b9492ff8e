// The data the core works on: log entries, RPC arguments and replies, inputs and effects.
// RPC types are `type` aliases (not interfaces) so that they are assignable to `Value` and can cross
// the network as they are.

import type { ApplyMsg, Value } from "../api.js";
import type { TraceEvent } from "../trace.js";

export type Role = "follower" | "candidate" | "leader";

/** One log entry. Index is implicit (its position); the term is the leader's term when created. */
export type Entry = { readonly term: number; readonly command: Value };

export const RPC_REQUEST_VOTE = "Raft.RequestVote";
export const RPC_APPEND_ENTRIES = "Raft.AppendEntries";
export const RPC_INSTALL_SNAPSHOT = "Raft.InstallSnapshot";

export type RequestVoteArgs = {
  readonly term: number;
  readonly candidateId: number;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
};
export type RequestVoteReply = { readonly term: number; readonly voteGranted: boolean };

export type AppendEntriesArgs = {
  readonly term: number;
  readonly leaderId: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
};
/**
 * On failure the follower sends the 6.5840 fast-backup hint: xTerm is the term of its entry at
 * prevLogIndex (-1 if it has none), xIndex the first index it holds with that term (-1 if none), and
 * xLen its log length (last index + 1).
 */
export type AppendEntriesReply = {
  readonly term: number;
  readonly success: boolean;
  readonly xTerm: number;
  readonly xIndex: number;
  readonly xLen: number;
};

export type InstallSnapshotArgs = {
  readonly term: number;
  readonly leaderId: number;
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: Uint8Array;
};
export type InstallSnapshotReply = { readonly term: number };

/** A request the core wants sent. The driver hands it back, unchanged, with the reply. */
export type OutRequest =
  | { readonly method: typeof RPC_REQUEST_VOTE; readonly to: number; readonly id: string; readonly args: RequestVoteArgs }
  | { readonly method: typeof RPC_APPEND_ENTRIES; readonly to: number; readonly id: string; readonly args: AppendEntriesArgs }
  | {
      readonly method: typeof RPC_INSTALL_SNAPSHOT;
      readonly to: number;
      readonly id: string;
      readonly args: InstallSnapshotArgs;
    };

/** One input to the core. Every input carries the current time; the core never reads a clock. */
export type Input =
  /** Time advanced (a timer the core asked for fired, or any other wake-up). */
  | { readonly kind: "tick"; readonly now: number }
  /** An incoming RPC; the reply is returned in `StepOutput.reply`. */
  | { readonly kind: "request"; readonly now: number; readonly method: string; readonly args: Value; readonly id?: string }
  /** The reply (or `null`: lost, timed out, peer down) to a request the core asked to send. */
  | { readonly kind: "reply"; readonly now: number; readonly request: OutRequest; readonly reply: Value | null }
  /** The service proposes a command. */
  | { readonly kind: "start"; readonly now: number; readonly command: Value }
  /** The service has applied everything up to `index` and hands over its snapshot. */
  | { readonly kind: "snapshot"; readonly now: number; readonly index: number; readonly data: Uint8Array };

/** What to write to stable storage, atomically, before anything else in the same output happens. */
export interface PersistEffect {
  /**
   * The encoded state (persist.ts). A view of the log's buffer, valid until the core's next step:
   * save it (the persister copies) before stepping again, as the driver does.
   */
  readonly state: Uint8Array;
  readonly snapshot: Uint8Array | null;
}

/** What the service sees from `start()`. */
export interface StartOutcome {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/**
 * The effects of one step, to be carried out in this order: persist, then send (and return `reply`),
 * then apply. `trace` holds the events of the step (empty when tracing is off). `wakeAt` is the time
 * the core next wants a tick; an earlier tick is harmless.
 */
export interface StepOutput {
  persist: PersistEffect | null;
  readonly send: OutRequest[];
  reply: Value | null;
  readonly apply: ApplyMsg[];
  readonly trace: TraceEvent[];
  wakeAt: number;
  start: StartOutcome | null;
}

export interface CoreConfig {
  readonly me: number;
  readonly peerCount: number;
  /** Election timeouts are drawn uniformly from [min, max). */
  readonly electionTimeoutMinMs: number;
  readonly electionTimeoutMaxMs: number;
  /** A leader sends to each peer at least this often, and heartbeats no more often. */
  readonly heartbeatMs: number;
  readonly maxEntriesPerAppend: number;
  /** Bound on the encoded size of the commands in one AppendEntries (at least one entry is sent). */
  readonly maxBytesPerAppend: number;
  /** Bound on ApplyMsgs per step; the rest follow at the next (immediate) wake-up. */
  readonly maxAppliesPerStep: number;
  /** When false, the core builds no trace events and no strings for them. */
  readonly tracing: boolean;
}

/** Where the core draws randomness from (a seeded Prng from prng.ts, or a Runtime's random). */
export interface RandomSource {
  next(): number;
}
