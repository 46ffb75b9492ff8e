// The step function: one input in, the effects of handling it out. Deterministic: the same inputs
// (including the times they carry and the random source's stream) always give the same outputs.

import type { Value } from "../api.js";
import { collectApplies, maybeCommit } from "./commit.js";
import { handleRequestVote, handleRequestVoteReply, startElection } from "./election.js";
import { decodeState } from "./persist.js";
import { RPC_APPEND_ENTRIES, RPC_INSTALL_SNAPSHOT, RPC_REQUEST_VOTE } from "./messages.js";
import { handleAppendEntries, handleAppendEntriesReply } from "./replication.js";
import {
  parseAppendEntriesArgs,
  parseAppendEntriesReply,
  parseInstallSnapshotArgs,
  parseInstallSnapshotReply,
  parseRequestVoteArgs,
  parseRequestVoteReply,
} from "./rpc.js";
import { handleInstallSnapshot, handleInstallSnapshotReply, takeSnapshot } from "./snapshot.js";
import { broadcastAppendEntries, sendDueHeartbeats } from "./send.js";
import { NodeState, emptyOutput } from "./state.js";
import { type CoreConfig, type Input, type RandomSource, type Role, type StepOutput } from "./types.js";

/** What stable storage held when this peer started (empty arrays for a fresh peer). */
export interface StoredState {
  readonly raftState: Uint8Array;
  readonly snapshot: Uint8Array;
}

export class RaftCore {
  private readonly s: NodeState;

  private constructor(cfg: CoreConfig, rng: RandomSource) {
    this.s = new NodeState(cfg, rng);
  }

  /**
   * Creates a peer from what stable storage holds (restart) or nothing (first boot). The returned
   * output persists the incremented boot counter and sets the first election deadline.
   * Throws CorruptStateError if the stored state does not decode.
   */
  static boot(cfg: CoreConfig, rng: RandomSource, stored: StoredState, now: number): { core: RaftCore; output: StepOutput } {
    const core = new RaftCore(cfg, rng);
    const s = core.s;
    // Also checks that the stored snapshot is the one the state was saved with.
    const st = decodeState(stored.raftState, cfg.peerCount, stored.snapshot);
    s.now = now;
    s.out = emptyOutput();
    s.currentTerm = st.currentTerm;
    s.votedFor = st.votedFor;
    s.boot = st.boot + 1;
    s.log.restore(st.snapshotIndex, st.snapshotTerm, st.entries, st.encoded);
    s.snapshotData = stored.snapshot.length > 0 ? stored.snapshot : null;
    // The service restores its own state from the snapshot at restart, so applying resumes after it.
    s.commitIndex = st.snapshotIndex;
    s.lastApplied = st.snapshotIndex;
    s.resetElectionTimer();
    if (s.tracing) {
      s.traceIndex(
        "Restore",
        "PERS",
        `S${s.me} boot #${s.boot}: T${s.currentTerm} vote=${s.votedFor ?? "-"} snapshot=(${st.snapshotIndex},${st.snapshotTerm}) log last=${s.log.lastIndex()}`,
        st.snapshotIndex,
      );
    }
    s.markDirty();
    return { core, output: core.finish() };
  }

  get me(): number {
    return this.s.me;
  }
  get term(): number {
    return this.s.currentTerm;
  }
  get role(): Role {
    return this.s.role;
  }
  get isLeader(): boolean {
    return this.s.role === "leader";
  }
  get votedFor(): number | null {
    return this.s.votedFor;
  }
  get commitIndex(): number {
    return this.s.commitIndex;
  }
  get lastApplied(): number {
    return this.s.lastApplied;
  }
  get lastLogIndex(): number {
    return this.s.log.lastIndex();
  }
  get snapshotIndex(): number {
    return this.s.log.snapshotIndex;
  }
  get leaderId(): number | null {
    return this.s.leaderId;
  }
  /** The term of the entry at `index` (undefined if compacted or absent); for tests and checkers. */
  termAt(index: number): number | undefined {
    return this.s.log.termAt(index);
  }
  /** The command at `index`, if held (not compacted); for tests and checkers. */
  commandAt(index: number): Value | undefined {
    return index > this.s.log.snapshotIndex && index <= this.s.log.lastIndex() ? this.s.log.entry(index).command : undefined;
  }
  /** The leader's nextIndex/matchIndex for `peer` (meaningful only while leader). */
  progressOf(peer: number): { readonly nextIndex: number; readonly matchIndex: number } | undefined {
    const p = this.s.progress[peer];
    return p === undefined ? undefined : { nextIndex: p.nextIndex, matchIndex: p.matchIndex };
  }

  /** Handles one input and returns its effects (see StepOutput for the order to carry them out in). */
  step(input: Input): StepOutput {
    const s = this.s;
    s.now = input.now;
    s.out = emptyOutput();
    s.firstSendTrace = -1;
    switch (input.kind) {
      case "tick":
        this.onTick();
        break;
      case "request":
        s.out.reply = this.onRequest(input.method, input.args, input.id);
        break;
      case "reply":
        this.onReply(input);
        break;
      case "start":
        this.onStart(input.command);
        break;
      case "snapshot":
        takeSnapshot(s, input.index, input.data);
        break;
    }
    return this.finish();
  }

  private onTick(): void {
    const s = this.s;
    if (s.role === "leader") sendDueHeartbeats(s);
    else if (s.now >= s.electionDeadline) startElection(s);
  }

  private onRequest(method: string, args: Value, id: string | undefined): Value | null {
    const s = this.s;
    const n = s.cfg.peerCount;
    switch (method) {
      case RPC_REQUEST_VOTE: {
        const a = parseRequestVoteArgs(args, n);
        return a === null ? this.malformed(method) : handleRequestVote(s, a, id);
      }
      case RPC_APPEND_ENTRIES: {
        const a = parseAppendEntriesArgs(args, n);
        return a === null ? this.malformed(method) : handleAppendEntries(s, a, id);
      }
      case RPC_INSTALL_SNAPSHOT: {
        const a = parseInstallSnapshotArgs(args, n);
        return a === null ? this.malformed(method) : handleInstallSnapshot(s, a, id);
      }
      default:
        return this.malformed(method);
    }
  }

  private malformed(what: string): null {
    if (this.s.tracing) this.s.trace("Log", "WARN", `S${this.s.me} dropped a malformed or unknown ${what} request`);
    return null;
  }

  private onReply(input: Extract<Input, { kind: "reply" }>): void {
    const s = this.s;
    const req = input.request;
    if (input.reply === null && s.tracing) {
      // The network's MsgLost event (if any) says why; this says the sender noticed.
      const msg = `S${s.me} no reply from S${req.to} to ${req.method.replace(/^Raft\./, "")} ${req.id}`;
      s.emit({ t: s.now, src: s.me, term: s.currentTerm, state: s.role, op: "Log", topic: "DROP", msg, id: req.id });
    }
    switch (req.method) {
      case RPC_REQUEST_VOTE:
        handleRequestVoteReply(s, req, parseRequestVoteReply(input.reply));
        break;
      case RPC_APPEND_ENTRIES:
        handleAppendEntriesReply(s, req, parseAppendEntriesReply(input.reply));
        break;
      case RPC_INSTALL_SNAPSHOT:
        handleInstallSnapshotReply(s, req, parseInstallSnapshotReply(input.reply));
        break;
    }
  }

  private onStart(command: Value): void {
    const s = this.s;
    if (s.role !== "leader") {
      s.out.start = { index: -1, term: s.currentTerm, isLeader: false };
      return;
    }
    const index = s.log.append(s.currentTerm, command);
    s.markDirty();
    s.out.start = { index, term: s.currentTerm, isLeader: true };
    if (s.tracing) s.traceIndex("Start", "CLNT", `S${s.me} start ${index} in T${s.currentTerm}`, index);
    maybeCommit(s); // a one-peer cluster commits at once
    broadcastAppendEntries(s, false);
  }

  /** Ends a step: applies, the persist effect, invariant checks and the next wake-up. */
  private finish(): StepOutput {
    const s = this.s;
    collectApplies(s);
    s.flushPersist();
    s.checkInvariants();
    const out = s.out;
    if (s.lastApplied < s.commitIndex) out.wakeAt = s.now;
    else if (s.role === "leader") {
      let next = Infinity;
      for (let p = 0; p < s.cfg.peerCount; p++) {
        if (p !== s.me) next = Math.min(next, (s.progress[p] as { heartbeatDue: number }).heartbeatDue);
      }
      // A one-peer cluster has nobody to send to; wake up now and then anyway.
      out.wakeAt = next === Infinity ? s.now + s.cfg.heartbeatMs : next;
    } else out.wakeAt = s.electionDeadline;
    return out;
  }
}
