// Trace events: the contract between the Raft, the tester and logviz. One JSON object per line.
// docs/trace-format.md is the prose version of this file; keep the two in step.

/** A peer's role at the moment it emitted an event. Harness events use "none". */
export type Role = "follower" | "candidate" | "leader";

/** dslogs-style 4-letter categories (the 16 of "Debugging by Pretty Printing", plus APLY). */
export const TOPICS = [
  "TIMR",
  "VOTE",
  "LEAD",
  "TERM",
  "LOG1",
  "LOG2",
  "CMIT",
  "APLY",
  "PERS",
  "SNAP",
  "DROP",
  "CLNT",
  "TEST",
  "INFO",
  "WARN",
  "ERRO",
  "TRCE",
] as const;
export type Topic = (typeof TOPICS)[number];

/** Opcodes a Raft peer emits. */
export const PEER_OPS = [
  // Messages (each with dir "send" or "recv", dst, from and id).
  "RequestVote",
  "RequestVoteReply",
  "AppendEntries",
  "AppendEntriesReply",
  "InstallSnapshot",
  "InstallSnapshotReply",
  // Transitions and timers.
  "ElectionTimeout",
  "BecomeCandidate",
  "BecomeLeader",
  "BecomeFollower",
  // The log, the state machine and storage.
  "Start",
  "Commit",
  "Apply",
  "Persist",
  "Snapshot",
  "Restore",
  "Kill",
  // Free text from a logging helper (`debug(topic, ...)`).
  "Log",
  // A line the Raft printed (console.log, process.stdout.write...), captured by the tester; `src` may be
  // -1 (printed outside any peer's code), `term` -1 and `state` "none" (docs/trace-format.md).
  "Print",
] as const;

/** Opcodes the harness (tester, network, invariant checker) emits, with `src` = HARNESS. */
export const HARNESS_OPS = [
  "TestBegin",
  "TestEnd",
  "TestFail",
  "Crash",
  "Restart",
  "Connect",
  "Disconnect",
  "NetReliable",
  "NetUnreliable",
  "LongReordering",
  "MsgLost",
  "Violation",
  "Note",
  "Output",
] as const;

export type PeerOp = (typeof PEER_OPS)[number];
export type HarnessOp = (typeof HARNESS_OPS)[number];
export type Opcode = PeerOp | HarnessOp;

/** The `src` of events that come from the harness rather than from a peer. */
export const HARNESS = -1;

/** Message direction, on message events only. */
export type Direction = "send" | "recv";

/**
 * Message summaries: the fields that matter for each RPC, all optional because each opcode uses a
 * subset (see docs/trace-format.md for which).
 */
export interface MessageFields {
  /** The peer the message goes to. */
  readonly dst?: number;
  /** The peer the message comes from (equal to `src` on a send). */
  readonly from?: number;
  /** Pairs a request's send, its receipt, its reply and the reply's receipt or loss. */
  readonly id?: string;
  readonly dir?: Direction;
  /** The term carried in the message (may differ from the emitter's `term` on a receipt). */
  readonly mterm?: number;
  // RequestVote
  readonly lastLogIndex?: number;
  readonly lastLogTerm?: number;
  readonly voteGranted?: boolean;
  // AppendEntries
  readonly prevLogIndex?: number;
  readonly prevLogTerm?: number;
  /** First and last index of the entries carried; absent for a heartbeat. */
  readonly first?: number;
  readonly last?: number;
  readonly leaderCommit?: number;
  readonly success?: boolean;
  /** The fast-backup hint: term of the conflicting entry, its first index, and the log length. */
  readonly xTerm?: number;
  readonly xIndex?: number;
  readonly xLen?: number;
  // InstallSnapshot
  readonly lastIncludedIndex?: number;
  readonly lastIncludedTerm?: number;
}

/** Fields of log, commit, apply and harness events. */
export interface DetailFields {
  /** Log index an event is about (Start, Commit, Apply, Snapshot). */
  readonly index?: number;
  /** The test name, on TestBegin/TestEnd/TestFail. */
  readonly test?: string;
  /** The seed of the run, on TestBegin. */
  readonly seed?: number;
  /** The peer a harness event is about (Crash, Restart, Connect, Disconnect, Violation). */
  readonly peer?: number;
  /** Why a message was lost (MsgLost), or which invariant was violated (Violation). */
  readonly reason?: string;
  /** Whether a test passed (TestEnd). */
  readonly ok?: boolean;
}

export interface TraceEvent extends MessageFields, DetailFields {
  /** Milliseconds since the cluster started (virtual time under simulation). */
  readonly t: number;
  /** The emitting peer, or HARNESS (-1). */
  readonly src: number;
  /** The emitting peer's current term (-1 for harness events). */
  readonly term: number;
  /** The emitting peer's role ("none" for harness events). */
  readonly state: Role | "none";
  readonly op: Opcode;
  readonly topic: Topic;
  /** One human-readable line. */
  readonly msg: string;
}

/** Receives trace events, in the order they happen. */
export type TraceSink = (event: TraceEvent) => void;

/** Serialises one event as a JSON line (no trailing newline). */
export function formatTraceEvent(event: TraceEvent): string {
  return escapeJsonC1(JSON.stringify(event));
}

const C1 = /[\u0080-\u009f]/g;

/**
 * JSON text with the C1 controls (U+0080-U+009F) written as \u escapes: JSON.stringify leaves them
 * raw, and a terminal that shows a JSON line would obey them (0x9B is CSI). The parsed value is the same.
 */
export function escapeJsonC1(json: string): string {
  C1.lastIndex = 0;
  if (!C1.test(json)) return json;
  C1.lastIndex = 0;
  return json.replace(C1, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
