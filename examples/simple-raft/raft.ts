// A small, complete Raft (election, replication, persistence, snapshots) written the way a 6.5840
// student might write one in TypeScript: async/await for RPCs, one object, no framework. It exists to
// show how any Raft plugs into the raftlab tester (docs/bring-your-own-raft.md):
//
//   npx tsc -p examples/simple-raft
//   pnpm raftlab run 3A 3B --impl examples/simple-raft/dist/raft.js
//
// The rules of the game: everything involving time or chance goes through `runtime` (no setTimeout,
// Date.now or Math.random), and RPC arguments must be plain data (numbers, strings, booleans, null,
// arrays, plain objects, Uint8Array). Nothing is imported at run time, so you can copy this file.

import type { ApplyCh, CancelTimer, ClientEnd, MakeRaft, Persister, RaftPeer, Runtime, StartResult, Value } from "@raftlab/raft";

type Role = "follower" | "candidate" | "leader";
type Entry = { term: number; command: Value };

const HEARTBEAT_MS = 100; // At most 10 heartbeats per second per peer (the lab's rule).
const ELECTION_MIN_MS = 300;
const ELECTION_SPREAD_MS = 300;
const MAX_ENTRIES_PER_APPEND = 256;

class SimpleRaft implements RaftPeer {
  private role: Role = "follower";
  private currentTerm = 0;
  private votedFor = -1;
  /** log[0] stands for the last entry in the snapshot (index snapshotIndex, term snapshotTerm). */
  private log: Entry[] = [{ term: 0, command: null }];
  private snapshotIndex = 0;
  private snapshotData: Uint8Array = new Uint8Array(0);
  private commitIndex = 0;
  private lastApplied = 0;
  private nextIndex: number[] = [];
  private matchIndex: number[] = [];
  private dead = false;
  private applying = false;
  private electionTimer: CancelTimer = () => {};
  private heartbeatTimer: CancelTimer = () => {};

  constructor(
    private readonly peers: readonly ClientEnd[],
    private readonly me: number,
    private readonly persister: Persister,
    private readonly applyCh: ApplyCh,
    private readonly rt: Runtime,
  ) {
    this.readPersist();
    this.commitIndex = this.lastApplied = this.snapshotIndex;
    this.resetElectionTimer();
  }

  // ---- the service-facing API --------------------------------------------------------------------

  getState(): { term: number; isLeader: boolean } {
    return { term: this.currentTerm, isLeader: this.role === "leader" };
  }

  start(command: Value): StartResult {
    if (this.dead || this.role !== "leader") return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.push({ term: this.currentTerm, command });
    this.persist();
    this.broadcastAppendEntries();
    return { index: this.lastIndex(), term: this.currentTerm, isLeader: true };
  }

  kill(): void {
    this.dead = true;
    this.electionTimer();
    this.heartbeatTimer();
  }

  snapshot(index: number, data: Uint8Array): void {
    if (index <= this.snapshotIndex || index > this.lastIndex()) return;
    this.log = this.log.slice(index - this.snapshotIndex); // The new log[0] is the entry at `index`.
    (this.log[0] as Entry).command = null;
    this.snapshotIndex = index;
    this.snapshotData = data;
    this.persist();
  }

  persistBytes(): number {
    return this.persister.raftStateSize();
  }

  handleRpc(method: string, args: Value): Value {
    if (this.dead) return null;
    switch (method) {
      case "Raft.RequestVote":
        return this.requestVote(args as { term: number; candidateId: number; lastLogIndex: number; lastLogTerm: number });
      case "Raft.AppendEntries":
        return this.appendEntries(
          args as { term: number; leaderId: number; prevLogIndex: number; prevLogTerm: number; entries: Entry[]; leaderCommit: number },
        );
      case "Raft.InstallSnapshot":
        return this.installSnapshot(args as { term: number; lastIncludedIndex: number; lastIncludedTerm: number; data: Uint8Array });
      default:
        return null;
    }
  }

  // ---- log helpers ------------------------------------------------------------------------------

  private lastIndex(): number {
    return this.snapshotIndex + this.log.length - 1;
  }
  private termAt(index: number): number {
    return (this.log[index - this.snapshotIndex] as Entry).term;
  }

  // ---- persistence (Figure 2: currentTerm, votedFor, log[]) ---------------------------------------

  private persist(): void {
    const state = { term: this.currentTerm, votedFor: this.votedFor, snapshotIndex: this.snapshotIndex, log: this.log };
    this.persister.save(new TextEncoder().encode(JSON.stringify(state)), this.snapshotData.length > 0 ? this.snapshotData : null);
  }

  private readPersist(): void {
    const bytes = this.persister.readRaftState();
    if (bytes.length === 0) return;
    const state = JSON.parse(new TextDecoder().decode(bytes)) as { term: number; votedFor: number; snapshotIndex: number; log: Entry[] };
    this.currentTerm = state.term;
    this.votedFor = state.votedFor;
    this.snapshotIndex = state.snapshotIndex;
    this.log = state.log;
    this.snapshotData = this.persister.readSnapshot();
  }

  // ---- terms and timers -----------------------------------------------------------------------

  /** Figure 2: if an RPC carries a higher term, adopt it and become follower. */
  private observeTerm(term: number): void {
    if (term <= this.currentTerm) return;
    this.currentTerm = term;
    this.votedFor = -1;
    this.becomeFollower();
    this.persist();
  }

  private becomeFollower(): void {
    if (this.role === "leader") {
      this.heartbeatTimer();
      // A deposed leader had no election timer: without a new one it would never stand again.
      this.resetElectionTimer();
    }
    this.role = "follower";
  }

  private resetElectionTimer(): void {
    this.electionTimer();
    const ms = ELECTION_MIN_MS + Math.floor(this.rt.random() * ELECTION_SPREAD_MS);
    this.electionTimer = this.rt.setTimer(ms, () => void this.startElection());
  }

  // ---- election (§5.2) ------------------------------------------------------------------------

  private async startElection(): Promise<void> {
    if (this.dead || this.role === "leader") return;
    this.role = "candidate";
    this.currentTerm++;
    this.votedFor = this.me;
    this.persist();
    this.resetElectionTimer();
    const term = this.currentTerm;
    const args = { term, candidateId: this.me, lastLogIndex: this.lastIndex(), lastLogTerm: this.termAt(this.lastIndex()) };
    let votes = 1;
    await Promise.all(
      this.peers.map(async (peer, i) => {
        if (i === this.me) return;
        const reply = (await peer.call("Raft.RequestVote", args)) as { term: number; voteGranted: boolean } | null;
        if (reply === null || this.dead) return;
        this.observeTerm(reply.term);
        // Re-check after the await: still a candidate in the same term?
        if (this.role !== "candidate" || this.currentTerm !== term || !reply.voteGranted) return;
        votes++;
        if (votes * 2 > this.peers.length) this.becomeLeader();
      }),
    );
  }

  private requestVote(a: { term: number; candidateId: number; lastLogIndex: number; lastLogTerm: number }): Value {
    this.observeTerm(a.term);
    const myLastTerm = this.termAt(this.lastIndex());
    const upToDate = a.lastLogTerm > myLastTerm || (a.lastLogTerm === myLastTerm && a.lastLogIndex >= this.lastIndex());
    let granted = false;
    if (a.term === this.currentTerm && (this.votedFor === -1 || this.votedFor === a.candidateId) && upToDate) {
      granted = true;
      this.votedFor = a.candidateId;
      this.persist();
      this.resetElectionTimer();
    }
    return { term: this.currentTerm, voteGranted: granted };
  }

  private becomeLeader(): void {
    this.role = "leader";
    this.electionTimer();
    this.nextIndex = this.peers.map(() => this.lastIndex() + 1);
    this.matchIndex = this.peers.map(() => 0);
    this.heartbeat();
  }

  private heartbeat(): void {
    if (this.dead || this.role !== "leader") return;
    this.broadcastAppendEntries();
    this.heartbeatTimer = this.rt.setTimer(HEARTBEAT_MS, () => this.heartbeat());
  }

  // ---- replication (§5.3) ---------------------------------------------------------------------

  private broadcastAppendEntries(): void {
    for (let i = 0; i < this.peers.length; i++) if (i !== this.me) void this.sendTo(i);
  }

  private async sendTo(i: number): Promise<void> {
    const term = this.currentTerm;
    const peer = this.peers[i] as ClientEnd;
    const next = this.nextIndex[i] as number;
    if (next <= this.snapshotIndex) {
      const args = {
        term,
        leaderId: this.me,
        lastIncludedIndex: this.snapshotIndex,
        lastIncludedTerm: this.termAt(this.snapshotIndex),
        data: this.snapshotData,
      };
      const reply = (await peer.call("Raft.InstallSnapshot", args)) as { term: number } | null;
      if (reply === null || this.dead) return;
      this.observeTerm(reply.term);
      if (this.role !== "leader" || this.currentTerm !== term) return;
      this.matchIndex[i] = Math.max(this.matchIndex[i] as number, args.lastIncludedIndex);
      this.nextIndex[i] = Math.max(this.nextIndex[i] as number, args.lastIncludedIndex + 1);
      return;
    }
    const prevLogIndex = next - 1;
    const entries = this.log.slice(next - this.snapshotIndex, next - this.snapshotIndex + MAX_ENTRIES_PER_APPEND);
    const args = { term, leaderId: this.me, prevLogIndex, prevLogTerm: this.termAt(prevLogIndex), entries, leaderCommit: this.commitIndex };
    const reply = (await peer.call("Raft.AppendEntries", args)) as { term: number; success: boolean; conflictIndex: number } | null;
    if (reply === null || this.dead) return;
    this.observeTerm(reply.term);
    // Re-check after the await: still leader in the same term, and the reply not stale?
    if (this.role !== "leader" || this.currentTerm !== term) return;
    if (reply.success) {
      const match = prevLogIndex + entries.length;
      if (match > (this.matchIndex[i] as number)) this.matchIndex[i] = match;
      if (match + 1 > (this.nextIndex[i] as number)) this.nextIndex[i] = match + 1;
      this.maybeCommit();
      // A lagging follower gets the next batch now, not at the next heartbeat.
      if (entries.length > 0 && (this.nextIndex[i] as number) <= this.lastIndex()) void this.sendTo(i);
    } else if (this.nextIndex[i] === next) {
      this.nextIndex[i] = Math.max(1, Math.min(next - 1, reply.conflictIndex));
      void this.sendTo(i);
    }
  }

  private appendEntries(a: { term: number; leaderId: number; prevLogIndex: number; prevLogTerm: number; entries: Entry[]; leaderCommit: number }): Value {
    this.observeTerm(a.term);
    if (a.term < this.currentTerm) return { term: this.currentTerm, success: false, conflictIndex: 0 };
    this.becomeFollower();
    this.resetElectionTimer();
    if (a.prevLogIndex > this.lastIndex()) return { term: this.currentTerm, success: false, conflictIndex: this.lastIndex() + 1 };
    if (a.prevLogIndex >= this.snapshotIndex && this.termAt(a.prevLogIndex) !== a.prevLogTerm) {
      // Fast backup: skip over the whole conflicting term.
      const bad = this.termAt(a.prevLogIndex);
      let first = a.prevLogIndex;
      while (first - 1 > this.snapshotIndex && this.termAt(first - 1) === bad) first--;
      return { term: this.currentTerm, success: false, conflictIndex: first };
    }
    let changed = false;
    for (let k = 0; k < a.entries.length; k++) {
      const index = a.prevLogIndex + 1 + k;
      if (index <= this.snapshotIndex) continue;
      const entry = a.entries[k] as Entry;
      if (index <= this.lastIndex() && this.termAt(index) === entry.term) continue;
      // Truncate only on a real conflict, never because a stale, shorter request arrived.
      this.log = this.log.slice(0, index - this.snapshotIndex).concat(a.entries.slice(k));
      changed = true;
      break;
    }
    if (changed) this.persist();
    if (a.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.min(a.leaderCommit, a.prevLogIndex + a.entries.length);
      this.applyCommitted();
    }
    return { term: this.currentTerm, success: true, conflictIndex: 0 };
  }

  /** Figure 2 / §5.4.2: commit by counting replicas of current-term entries only. */
  private maybeCommit(): void {
    for (let n = this.lastIndex(); n > this.commitIndex && n > this.snapshotIndex; n--) {
      if (this.termAt(n) !== this.currentTerm) break;
      let count = 1;
      for (let i = 0; i < this.peers.length; i++) if (i !== this.me && (this.matchIndex[i] as number) >= n) count++;
      if (count * 2 > this.peers.length) {
        this.commitIndex = n;
        this.applyCommitted();
        return;
      }
    }
  }

  // ---- snapshots (§7) -------------------------------------------------------------------------

  private installSnapshot(a: { term: number; lastIncludedIndex: number; lastIncludedTerm: number; data: Uint8Array }): Value {
    this.observeTerm(a.term);
    if (a.term < this.currentTerm || a.lastIncludedIndex <= this.snapshotIndex) return { term: this.currentTerm };
    this.becomeFollower();
    this.resetElectionTimer();
    if (a.lastIncludedIndex <= this.lastIndex() && this.termAt(a.lastIncludedIndex) === a.lastIncludedTerm) {
      this.log = this.log.slice(a.lastIncludedIndex - this.snapshotIndex); // Keep the tail that follows.
    } else {
      this.log = [{ term: a.lastIncludedTerm, command: null }];
    }
    (this.log[0] as Entry).command = null;
    this.snapshotIndex = a.lastIncludedIndex;
    this.snapshotData = a.data;
    this.persist();
    if (a.lastIncludedIndex > this.lastApplied) {
      this.commitIndex = Math.max(this.commitIndex, a.lastIncludedIndex);
      this.lastApplied = a.lastIncludedIndex;
      this.applyCh({ commandValid: false, snapshotValid: true, snapshot: a.data, snapshotTerm: a.lastIncludedTerm, snapshotIndex: a.lastIncludedIndex });
    }
    this.applyCommitted();
    return { term: this.currentTerm };
  }

  // ---- applying -------------------------------------------------------------------------------

  /** Delivers committed entries in order. The service may call snapshot() from inside applyCh. */
  private applyCommitted(): void {
    if (this.applying) return;
    this.applying = true;
    try {
      while (!this.dead && this.lastApplied < this.commitIndex) {
        const index = ++this.lastApplied;
        const entry = this.log[index - this.snapshotIndex] as Entry;
        this.applyCh({ commandValid: true, command: entry.command, commandIndex: index, snapshotValid: false });
      }
    } finally {
      this.applying = false;
    }
  }
}

export const make: MakeRaft = (peers, me, persister, applyCh, runtime) => new SimpleRaft(peers, me, persister, applyCh, runtime);
