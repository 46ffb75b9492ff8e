// The mutable state of one Raft peer (Figure 2's "State" box plus the bookkeeping the algorithm needs),
// and the effect buffer of the step in progress. Only the core's own modules touch it.

import type { PeerOp, Topic, TraceEvent } from "../trace.js";
import { fail } from "./assert.js";
import { RaftLog } from "./log.js";
import { encodeState } from "./persist.js";
import type { CoreConfig, RandomSource, Role, StepOutput } from "./types.js";

/**
 * What a leader tracks for each other peer. Invariant while leader, for every other peer (checked at
 * the end of every step by NodeState.checkInvariants):
 *   matchIndex < nextIndex <= lastIndex + 1   (so matchIndex <= lastIndex: a peer holds nothing we lack)
 *   heartbeatDue <= now + heartbeatMs          (the role's timer: a heartbeat is never more than one interval away)
 */
export interface PeerProgress {
  /** Figure 2: index of the next log entry to send to that server. */
  nextIndex: number;
  /** Figure 2: index of highest log entry known to be replicated on that server. */
  matchIndex: number;
  /** When the next AppendEntries must go, at the latest (the heartbeat). */
  heartbeatDue: number;
  /** Requests sent and not yet answered (or failed); eager sends wait for this to reach 0. */
  outstanding: number;
}

/**
 * The state of one peer. Invariants at the end of every step (checkInvariants; a violation is a bug
 * in this core and throws InvariantError):
 *   snapshotIndex <= lastApplied <= commitIndex <= lastIndex   (nothing applied before it is committed,
 *                                                              nothing compacted before it is applied)
 *   lastTerm <= currentTerm                                     (no entry from a future term)
 *   leader:    leaderId = me, votedFor = me, PeerProgress's invariant for every other peer
 *   candidate: votedFor = me, and its own vote counted
 *   follower, candidate: electionDeadline <= now + electionTimeoutMaxMs (an election timer is running)
 */
export class NodeState {
  // Persistent state on all servers (Figure 2).
  currentTerm = 0;
  votedFor: number | null = null;
  readonly log = new RaftLog();
  /** The latest snapshot's bytes, persisted alongside the state. */
  snapshotData: Uint8Array | null = null;
  /** Incarnation number, persisted: message ids stay unique across restarts. */
  boot = 0;

  // Volatile state on all servers.
  commitIndex = 0;
  lastApplied = 0;
  role: Role = "follower";
  leaderId: number | null = null;
  electionDeadline = 0;

  // Candidates.
  readonly votes = new Set<number>();
  // Leaders (reinitialized after election).
  readonly progress: PeerProgress[] = [];
  msgSeq = 0;
  now = 0;
  /** Set when currentTerm, votedFor, the log or the snapshot changed in this step. */
  dirty = false;
  out: StepOutput = emptyOutput();
  /** Position in out.trace of the step's first message send, so the Persist event can go before it. */
  firstSendTrace = -1;

  readonly majority: number;
  readonly tracing: boolean;

  constructor(
    readonly cfg: CoreConfig,
    readonly rng: RandomSource,
  ) {
    this.majority = Math.floor(cfg.peerCount / 2) + 1;
    this.tracing = cfg.tracing;
    for (let p = 0; p < cfg.peerCount; p++) this.progress.push({ nextIndex: 1, matchIndex: 0, heartbeatDue: 0, outstanding: 0 });
  }

  get me(): number {
    return this.cfg.me;
  }

  /** A fresh, deterministic message id: peer, incarnation, sequence number. */
  nextMessageId(): string {
    return `${this.cfg.me}.${this.boot}.${++this.msgSeq}`;
  }

  randomElectionTimeout(): number {
    const { electionTimeoutMinMs: lo, electionTimeoutMaxMs: hi } = this.cfg;
    return lo + Math.floor(this.rng.next() * (hi - lo));
  }

  resetElectionTimer(): void {
    this.electionDeadline = this.now + this.randomElectionTimeout();
  }

  /** Marks persistent state changed; the step ends with one persist effect, before any send or reply. */
  markDirty(): void {
    this.dirty = true;
  }

  // Trace events. Call these only under `if (s.tracing)` (one branch), so nothing, not even the
  // message string, is built when tracing is off. Each event is one object literal with its fields in
  // a fixed order: no spreads and no intermediate objects (the spreads cost about a third of a traced
  // run's CPU), and the stable shapes keep JSON.stringify on V8's fast path.

  /** An event with no fields beyond the common ones. */
  trace(op: PeerOp, topic: Topic, msg: string): void {
    this.out.trace.push({ t: this.now, src: this.cfg.me, term: this.currentTerm, state: this.role, op, topic, msg });
  }

  /** An event about one log index (Start, Commit, Apply, Snapshot, Restore, log changes). */
  traceIndex(op: PeerOp, topic: Topic, msg: string, index: number): void {
    this.out.trace.push({ t: this.now, src: this.cfg.me, term: this.currentTerm, state: this.role, op, topic, msg, index });
  }

  /** A complete event the caller built as one literal (message events: their fields differ per RPC). */
  emit(event: TraceEvent): void {
    if (this.firstSendTrace < 0 && event.dir === "send") this.firstSendTrace = this.out.trace.length;
    this.out.trace.push(event);
  }

  /** Builds the persist effect if anything persistent changed. */
  flushPersist(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const votedFor = this.votedFor;
    const state = encodeState(this.currentTerm, votedFor, this.boot, this.log, this.snapshotData);
    this.out.persist = { state, snapshot: this.snapshotData };
    if (this.tracing) {
      // Storage is written before any message of this step goes out, so the event goes there too.
      const at = this.firstSendTrace;
      this.trace(
        "Persist",
        "PERS",
        `S${this.me} persist T${this.currentTerm} vote=${votedFor ?? "-"} log=(${this.log.snapshotIndex},${this.log.lastIndex()}] ${state.length}B`,
      );
      if (at >= 0) {
        const ev = this.out.trace.pop();
        if (ev !== undefined) this.out.trace.splice(at, 0, ev);
      }
    }
  }

  /**
   * Asserts the invariants stated above NodeState and PeerProgress, once at the end of every step.
   * Each check is a comparison; a message is built only on failure, so keeping this on costs a few
   * comparisons per peer per step.
   */
  checkInvariants(): void {
    const last = this.log.lastIndex();
    if (this.commitIndex > last) fail(`commitIndex ${this.commitIndex} > last log index ${last}`);
    if (this.lastApplied > this.commitIndex) fail(`lastApplied ${this.lastApplied} > commitIndex ${this.commitIndex}`);
    if (this.log.snapshotIndex > this.lastApplied) fail(`snapshot ${this.log.snapshotIndex} beyond lastApplied ${this.lastApplied}`);
    if (this.log.lastTerm() > this.currentTerm) fail(`last log term ${this.log.lastTerm()} > currentTerm ${this.currentTerm}`);
    const me = this.cfg.me;
    if (this.role === "leader") {
      if (this.leaderId !== me) fail("a leader that does not know itself as leader");
      if (this.votedFor !== me) fail(`a leader in T${this.currentTerm} that voted for ${this.votedFor ?? "nobody"}`);
      const heartbeatBy = this.now + this.cfg.heartbeatMs;
      for (let p = 0; p < this.progress.length; p++) {
        if (p === me) continue;
        const pr = this.progress[p] as PeerProgress;
        if (pr.matchIndex >= pr.nextIndex || pr.nextIndex > last + 1) {
          fail(`S${p}: need matchIndex ${pr.matchIndex} < nextIndex ${pr.nextIndex} <= last log index + 1 = ${last + 1}`);
        }
        if (pr.heartbeatDue > heartbeatBy) fail(`S${p}: heartbeat due at ${pr.heartbeatDue}, beyond now + heartbeat ${heartbeatBy}`);
      }
    } else {
      if (this.electionDeadline > this.now + this.cfg.electionTimeoutMaxMs) {
        fail(`election deadline ${this.electionDeadline} beyond now + max election timeout ${this.now + this.cfg.electionTimeoutMaxMs}`);
      }
      if (this.role === "candidate" && (this.votedFor !== me || !this.votes.has(me))) fail(`a candidate in T${this.currentTerm} that did not vote for itself`);
    }
  }
}

export function emptyOutput(): StepOutput {
  return { persist: null, send: [], reply: null, apply: [], trace: [], wakeAt: 0, start: null };
}
