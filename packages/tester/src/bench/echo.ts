// The messaging floor for figure 2: an "echo" peer that implements RaftPeer but has no log, no
// persistence and no Raft logic (no terms, elections, log matching or commit rules). Its leader
// (always peer 0) replicates commands with the same flow control as our Raft's leader, so it moves the
// same messages: one AppendEntries-shaped request in flight per follower, carrying every command that
// follower has not been sent yet; the follower answers with a success-shaped reply; a command
// "commits" (is applied at the leader) once a majority holds it. Everything Raft does beyond moving
// these messages is what the ratio in figure 2 measures.

import type { ApplyCh, ClientEnd, Command, MakeRaft, RaftPeer, RaftState, StartResult, Value } from "@raftlab/raft";

/** The fixed leader of an echo cluster. */
export const ECHO_LEADER = 0;
const TERM = 1;
/** Commands not yet held by every follower; the bench keeps one in flight, so this is a guard. */
const MAX_UNSENT = 4096;

interface Follower {
  readonly end: ClientEnd;
  /** Next command index to send, and the highest index the follower has acknowledged. */
  next: number;
  match: number;
  inFlight: boolean;
}

class EchoPeer implements RaftPeer {
  private lastIndex = 0;
  private committed = 0;
  private dead = false;
  /** Commands from index `base + 1` on, kept until every follower has them (a send queue, not a log). */
  private pending: Command[] = [];
  private base = 0;
  private readonly followers: Follower[] = [];
  private msgSeq = 0;

  constructor(
    peers: readonly ClientEnd[],
    private readonly me: number,
    private readonly applyCh: ApplyCh,
  ) {
    for (let p = 0; p < peers.length; p++) {
      const end = peers[p];
      if (p !== me && end !== undefined) this.followers.push({ end, next: 1, match: 0, inFlight: false });
    }
  }

  start(command: Command): StartResult {
    if (this.dead || this.me !== ECHO_LEADER) return { index: -1, term: TERM, isLeader: false };
    if (this.pending.length >= MAX_UNSENT) throw new Error("echo peer: send queue full");
    const index = ++this.lastIndex;
    this.pending.push(command);
    if (this.followers.length === 0) this.advance(index);
    for (const f of this.followers) if (!f.inFlight) this.send(f);
    return { index, term: TERM, isLeader: true };
  }

  private send(f: Follower): void {
    if (f.next > this.lastIndex) return;
    const first = f.next;
    const entries: Value[] = [];
    for (let i = first; i <= this.lastIndex; i++) entries.push({ term: TERM, command: this.pending[i - this.base - 1] as Value });
    // The same fields and entry shape as our Raft's AppendEntries.
    const args: Value = { term: TERM, leaderId: this.me, prevLogIndex: first - 1, prevLogTerm: TERM, entries, leaderCommit: this.committed };
    const last = this.lastIndex;
    f.inFlight = true;
    f.next = last + 1;
    void f.end.call("Raft.AppendEntries", args, { id: `e${++this.msgSeq}` }).then((reply) => this.onReply(f, first, last, reply));
  }

  private onReply(f: Follower, first: number, last: number, reply: Value | null): void {
    if (this.dead) return;
    f.inFlight = false;
    if (reply === null)
      f.next = first; // lost: resend from there (never happens on the reliable net)
    else {
      f.match = Math.max(f.match, last);
      // Commit what a majority (leader included) holds.
      const matches = this.followers.map((x) => x.match).sort((a, b) => b - a);
      const majority = Math.floor((this.followers.length + 1) / 2) + 1;
      this.advance(majority <= 1 ? this.lastIndex : (matches[majority - 2] as number));
    }
    this.trim();
    this.send(f);
  }

  private advance(upTo: number): void {
    while (this.committed < upTo && !this.dead) {
      const index = ++this.committed;
      this.applyCh({ commandValid: true, command: this.pending[index - this.base - 1] as Value, commandIndex: index, snapshotValid: false });
    }
  }

  /** Drops commands every follower holds and the leader has applied. */
  private trim(): void {
    let low = this.committed;
    for (const f of this.followers) low = Math.min(low, f.match);
    if (low > this.base) {
      this.pending = this.pending.slice(low - this.base);
      this.base = low;
    }
  }

  handleRpc(_method: string, args: Value): Value {
    const a = args as { prevLogIndex?: number; entries?: readonly unknown[] };
    const len = (a.prevLogIndex ?? 0) + (a.entries?.length ?? 0) + 1;
    // The shape of our Raft's success reply (term, success, and the unused fast-backup hint).
    return { term: TERM, success: true, xTerm: -1, xIndex: -1, xLen: len };
  }

  getState(): RaftState {
    return { term: TERM, isLeader: !this.dead && this.me === ECHO_LEADER };
  }
  kill(): void {
    this.dead = true;
  }
  snapshot(): void {}
  persistBytes(): number {
    return 0;
  }
}

/** `make` for echo peers (the runtime is unused: an echo peer has no timers). */
export const makeEcho: MakeRaft = (peers, me, _persister, applyCh) => new EchoPeer(peers, me, applyCh);
