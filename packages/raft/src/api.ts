// The lab-style interface: the contract between a Raft implementation and whatever drives it (the
// raftlab tester, the demo, a student's own harness). It mirrors 6.5840's Go API, TypeScript-cased.
//
// A student's TypeScript Raft plugs into the raftlab tester by exporting a `make` function of type
// `MakeRaft` from a module (see docs/bring-your-own-raft.md). The one difference from Go: there are no
// goroutines or wall clocks here. Everything that involves time or chance goes through the `Runtime`
// passed to `make`, so that the tester can run it in virtual time and replay it exactly from a seed.

import type { TraceSink } from "./trace.js";

/**
 * A value that can cross the (simulated) network or be persisted: the TypeScript counterpart of what
 * labgob can encode. Numbers are IEEE doubles; integers that fit in 53 bits round-trip exactly.
 */
export type Value = null | boolean | number | string | Uint8Array | readonly Value[] | { readonly [key: string]: Value };

/** A client command, as given to `start()`. */
export type Command = Value;

/** A committed command delivered to the service, in log order (6.5840 `ApplyMsg` with CommandValid). */
export interface CommandApplyMsg {
  readonly commandValid: true;
  readonly command: Command;
  readonly commandIndex: number;
  readonly snapshotValid: false;
}

/** A snapshot the service must install (6.5840 `ApplyMsg` with SnapshotValid). */
export interface SnapshotApplyMsg {
  readonly commandValid: false;
  readonly snapshotValid: true;
  readonly snapshot: Uint8Array;
  readonly snapshotTerm: number;
  readonly snapshotIndex: number;
}

/** Exactly one of commandValid / snapshotValid is true. */
export type ApplyMsg = CommandApplyMsg | SnapshotApplyMsg;

/**
 * Where a Raft delivers ApplyMsgs. It is called by a single applier, in order. The service may call
 * `raft.snapshot()` from inside this callback (the tester does so every 10th index); the Raft must
 * accept that re-entrant call without reordering or losing messages.
 */
export type ApplyCh = (msg: ApplyMsg) => void;

/** Out-of-band metadata an RPC carries for tracing; it is never counted as RPC bytes. */
export interface RpcMeta {
  /** Pairs a send with its receipt or loss in the trace (see docs/trace-format.md). */
  readonly id?: string;
}

/**
 * One directional RPC end from this peer to another (labrpc `ClientEnd`). `call` resolves to the
 * reply, or to `null` when the request or the reply was lost, or the peer is down or unreachable
 * (Go's `Call` returning false). It never rejects. Calls are asynchronous: a Raft must not wait for
 * one reply before sending to another peer.
 */
export interface ClientEnd {
  call(method: string, args: Value, meta?: RpcMeta): Promise<Value | null>;
}

/**
 * Stable storage (labrpc's `Persister`). `save` stores copies of the Raft state and the snapshot
 * atomically (the caller may reuse its arrays afterwards); passing `null` as the snapshot keeps none.
 * Reads return copies; an empty array means "nothing saved".
 */
export interface Persister {
  save(raftState: Uint8Array, snapshot: Uint8Array | null): void;
  readRaftState(): Uint8Array;
  readSnapshot(): Uint8Array;
  raftStateSize(): number;
  snapshotSize(): number;
}

/** Cancels a timer set with `Runtime.setTimer`. Cancelling twice, or after it fired, is harmless. */
export type CancelTimer = () => void;

/**
 * Time, timers and randomness for one Raft instance. In the tester this is virtual time and a seeded
 * PRNG; in a real process it is the wall clock. A Raft must use nothing else (no setTimeout, Date.now
 * or Math.random), or runs stop being reproducible.
 */
export interface Runtime {
  /** Milliseconds since the cluster started. */
  now(): number;
  /** Runs `fn` once, `delayMs` from now. */
  setTimer(delayMs: number, fn: () => void): CancelTimer;
  /** A uniformly distributed float in [0, 1) from a seeded generator. */
  random(): number;
  /** Where trace events go; `null` when tracing is off (then building them should cost nothing). */
  readonly trace: TraceSink | null;
}

/** What `start()` returns: where the command will appear if it is ever committed. */
export interface StartResult {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/** What `getState()` returns. */
export interface RaftState {
  readonly term: number;
  readonly isLeader: boolean;
}

/** The service-facing half of a Raft peer (6.5840's `raftapi.Raft`). */
export interface Raft {
  /** Proposes a command. Returns at once; must not throw after `kill()`. */
  start(command: Command): StartResult;
  getState(): RaftState;
  /** Stops the instance: it sends, persists and applies nothing afterwards. */
  kill(): void;
  /** The service has applied everything up to and including `index`; Raft may drop that prefix. */
  snapshot(index: number, snapshot: Uint8Array): void;
  /** Size of the persisted Raft state in bytes (the persister's raftStateSize). */
  persistBytes(): number;
}

/**
 * A Raft peer as the network sees it: the service API plus one RPC entry point (what labrpc reaches
 * through Go reflection on exported methods such as `Raft.RequestVote`). `handleRpc` may return the
 * reply directly or as a promise; returning `null` means "no reply" (the caller sees a failure).
 */
export interface RaftPeer extends Raft {
  handleRpc(method: string, args: Value, meta?: RpcMeta): Value | Promise<Value>;
}

/**
 * Creates a peer (6.5840 `Make`). `peers[me]` is this peer's own end. The persister holds whatever a
 * previous incarnation saved; `make` must restore it. It must return quickly; background work goes
 * through `runtime.setTimer`.
 */
export type MakeRaft = (peers: readonly ClientEnd[], me: number, persister: Persister, applyCh: ApplyCh, runtime: Runtime) => RaftPeer;
