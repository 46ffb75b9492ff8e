// The messages peers exchange: log entries, the three RPCs' arguments and replies, and the request
// the core asks its driver to send. They are `type` aliases (not interfaces) so that they are
// assignable to `Value` and can cross the network as they are. This file imports nothing of the core,
// so every module (sending, roles, the handlers) can depend on it without forming a cycle.

import type { Value } from "../api.js";

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
