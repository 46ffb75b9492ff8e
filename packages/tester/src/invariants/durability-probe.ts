// Restart probes for everything Figure 2 puts on stable storage before a server answers: currentTerm
// and log[] (votedFor has its own probe, vote-probe.ts). At the moment a peer
//   - replies with term T, a copy restarted from its persister must report a term >= T;
//   - acknowledges an AppendEntries covering index i, the copy must hold entry i with the same term;
//   - returns index i from Start() as leader, the copy must hold entry i;
// otherwise a crash right after the reply (or the Start) would forget what the peer promised. The copy
// comes from restart-copy.ts and never touches the real run. It is asked with the Raft's own messages:
// an AppendEntries with prevLogIndex = i, prevLogTerm = the entry's term and no entries succeeds exactly
// when its log holds that entry.
//
// Cost: a restart decodes the whole persisted state (0.2-0.7 ms for our Raft on the lab's logs), so
// the probes run only where a missing persist is possible. Every save is counted; a point (a new term
// replied with, a new index acknowledged, a Start) reached in an event that saved is trusted, since a
// Raft persists its whole state at once. A point reached without a save is probed, and so are the 1st,
// 4th, 16th, 64th, ... points of each kind per peer even after a save (a Raft that saves the wrong
// state): O(log n) restarts per peer and kind in a correct run.

import type { MakeRaft, Persister, RaftPeer, Value } from "@raftlab/raft";
import { readAppendEntries, type AppendEntriesView } from "./append-entries.js";
import type { Forgotten } from "./checker.js";
import { readField, readNumber } from "./figure2.js";
import { askCopy, restartCopy } from "./restart-copy.js";

/**
 * Reports that `peer` would forget `what` on a crash. Returns true when that failed the run; false when
 * it was a counted warning (before 3C), after which the peer is not probed for `what` again.
 */
export type DurabilityFail = (peer: number, what: Forgotten, detail: string, peers: readonly number[], term: number, index: number) => boolean;

interface PeerDurability {
  /** Saves to the peer's current persister, and the count at the end of its last event. */
  saves: number;
  savesAtBoundary: number;
  persister: Persister | null;
  /** A save happened while the peer's term was this (so the persisted term is at least this). */
  trustedTerm: number;
  /** The highest term the peer replied with, the number of distinct ones, and the highest probed. */
  replyTerm: number;
  termPoints: number;
  verifiedTerm: number;
  /** The highest index acknowledged (trusted or probed) to the leader of `ackTerm`. */
  ackTerm: number;
  ackIndex: number;
  ackPoints: number;
  startPoints: number;
  /** Indices at or below this may be compacted into a snapshot: a copy may refuse them and be right. */
  snapshotFloor: number;
  /** What the peer was already warned it would forget (not probed again: a bounded cost per peer). */
  readonly forgets: Set<Forgotten>;
}

/** 1, 4, 16, 64, ...: the points probed even after a save. */
const sampled = (k: number): boolean => k > 0 && (k & (k - 1)) === 0 && (Math.clz32(k) & 1) === 1;

const short = (method: string): string => method.replace(/^.*\./, "");
const normalize = (key: string): string => key.replace(/_/g, "").toLowerCase();

type Obj = { readonly [key: string]: Value };

/**
 * An AppendEntries in the Raft's own spelling (the keys of one it sent): `template` with term, prevLogIndex,
 * prevLogTerm, entries and leaderCommit replaced, and leaderId too when `leader` is given.
 */
function probeArgs(template: Obj, term: number, prevLogIndex: number, prevLogTerm: number, leader: number | null): Obj {
  const out: { [key: string]: Value } = { ...template };
  for (const key of Object.keys(template)) {
    const k = normalize(key);
    if (k === "term") out[key] = term;
    else if (k === "prevlogindex") out[key] = prevLogIndex;
    else if (k === "prevlogterm") out[key] = prevLogTerm;
    else if (k === "entries") out[key] = [];
    else if (k === "leadercommit") out[key] = 0;
    else if (k === "leaderid" && leader !== null) out[key] = leader;
  }
  return out;
}

export class DurabilityProbes {
  private readonly peers: PeerDurability[];
  /** An AppendEntries some peer sent (method and arguments), for the Start probe's message. */
  private template: { readonly method: string; readonly args: Obj } | null = null;

  constructor(
    private readonly impl: MakeRaft,
    private readonly n: number,
    private readonly now: () => number,
    private readonly fail: DurabilityFail,
  ) {
    this.peers = Array.from({ length: n }, () => ({
      saves: 0,
      savesAtBoundary: 0,
      persister: null,
      trustedTerm: 0,
      replyTerm: 0,
      termPoints: 0,
      verifiedTerm: 0,
      ackTerm: -1,
      ackIndex: 0,
      ackPoints: 0,
      startPoints: 0,
      snapshotFloor: 0,
      forgets: new Set<Forgotten>(),
    }));
  }

  /**
   * The persister a (re)started peer writes to: its saves are counted from now on. What earlier saves
   * established (trusted and probed points) stays true: the new persister is a copy of the old one.
   */
  track(peer: number, persister: Persister): void {
    const st = this.peers[peer] as PeerDurability;
    st.persister = persister;
    st.saves = 0;
    st.savesAtBoundary = 0;
    const save = persister.save.bind(persister);
    persister.save = (state, snapshot) => {
      if (st.persister === persister) st.saves++;
      save(state, snapshot);
    };
  }

  /** The end of one of the peer's events, after which it reports `term`. */
  polled(peer: number, term: number): void {
    const st = this.peers[peer] as PeerDurability;
    if (st.saves !== st.savesAtBoundary && term > st.trustedTerm) st.trustedTerm = term;
    st.savesAtBoundary = st.saves;
  }

  /** Indices up to `index` may be in the peer's snapshot (the service snapshotted, or one was installed). */
  snapshotted(peer: number, index: number): void {
    const st = this.peers[peer] as PeerDurability;
    if (index > st.snapshotFloor) st.snapshotFloor = index;
  }

  /** How many saves the peer's persister has seen (around a Start() call). */
  saveCount(peer: number): number {
    return (this.peers[peer] as PeerDurability).saves;
  }

  /** A reply the handler of `server` returned to `caller`, about to be sent. */
  handled(server: number, caller: number, method: string, args: Value, reply: Value): void {
    const st = this.peers[server] as PeerDurability;
    if (st.persister === null) return;
    const savedNow = st.saves !== st.savesAtBoundary;
    const replyTerm = readNumber(reply, "term");
    if (replyTerm === null) return;
    if (savedNow && replyTerm > st.trustedTerm) st.trustedTerm = replyTerm;
    if (replyTerm > st.replyTerm) {
      st.replyTerm = replyTerm;
      st.termPoints++;
      if ((replyTerm > st.trustedTerm || sampled(st.termPoints)) && replyTerm > st.verifiedTerm && !st.forgets.has("term")) {
        if (!this.probeTerm(server, caller, method, replyTerm)) return;
      }
    }
    const ae = readAppendEntries(method, args);
    if (ae !== null) {
      if (this.template === null) this.template = { method, args: args as Obj };
      if (replyTerm !== ae.term || readField(reply, "success") !== true) return;
      const i = ae.prevLogIndex + ae.entries.length;
      if (st.ackTerm !== ae.term) {
        st.ackTerm = ae.term;
        st.ackIndex = 0;
      }
      if (i <= st.ackIndex || i <= st.snapshotFloor) return;
      st.ackPoints++;
      if ((!savedNow || sampled(st.ackPoints)) && !st.forgets.has("log entry") && !this.probeEntries(server, caller, method, args as Obj, ae, i)) return;
      st.ackIndex = i;
      return;
    }
    if (/installsnapshot/i.test(method) && replyTerm === readNumber(args, "term")) {
      const index = readNumber(args, "lastIncludedIndex");
      if (index !== null) this.snapshotted(server, index);
    }
  }

  /** Start() at `peer` returned `index` in `term` as leader; `saved`: it saved meanwhile. */
  started(peer: number, index: number, term: number, saved: boolean): void {
    const st = this.peers[peer] as PeerDurability;
    st.savesAtBoundary = st.saves;
    if (st.persister === null || this.template === null || index <= st.snapshotFloor || st.forgets.has("log entry")) return;
    st.startPoints++;
    if (saved && !sampled(st.startPoints)) return;
    const other = (peer + 1) % this.n;
    const holds = this.holds(peer, this.template.method, probeArgs(this.template.args, term, index, term, other), term);
    if (holds !== false) return;
    this.report(
      peer,
      "log entry",
      `S${peer} accepted Start() at index ${index} in T${term}, but restarted from its persisted state it does not hold entry ${index} (Figure 2: log[] is on stable storage before the leader sends or counts it)`,
      [peer],
      term,
      index,
    );
  }

  private copyOf(peer: number): RaftPeer {
    const st = this.peers[peer] as PeerDurability;
    const p = st.persister as Persister & { copy?: () => Persister };
    if (typeof p.copy !== "function") throw new Error(`peer ${peer}'s persister cannot be copied`);
    return restartCopy(this.impl, this.n, peer, p.copy(), this.now(), 104729);
  }

  private probeTerm(server: number, caller: number, method: string, term: number): boolean {
    const copy = this.copyOf(server);
    let persisted: number;
    try {
      persisted = copy.getState().term;
    } finally {
      copy.kill();
    }
    if (persisted >= term) {
      (this.peers[server] as PeerDurability).verifiedTerm = term;
      return true;
    }
    return this.report(
      server,
      "term",
      `S${server} replied to S${caller}'s ${short(method)} with term ${term}, but restarted from its persisted state it reports term ${persisted} (Figure 2: currentTerm is on stable storage before responding to RPCs)`,
      [server, caller],
      term,
      -1,
    );
  }

  /** Whether a fresh copy of `peer` accepts `args`: null when it cannot tell (a higher term, no reply). */
  private holds(peer: number, method: string, args: Obj, term: number): boolean | null {
    const copy = this.copyOf(peer);
    try {
      const r = askCopy(copy, method, args);
      if (r === null) return null;
      const t = readNumber(r, "term");
      if (t !== null && t > term) return null;
      const ok = readField(r, "success");
      return ok === true ? true : ok === false ? false : null;
    } finally {
      copy.kill();
    }
  }

  private probeEntries(server: number, caller: number, method: string, args: Obj, ae: AppendEntriesView, i: number): boolean {
    const termAt = (k: number): number => (k === ae.prevLogIndex ? ae.prevLogTerm : (ae.entries[k - ae.prevLogIndex - 1]?.term ?? -1));
    const ask = (k: number): boolean | null => this.holds(server, method, probeArgs(args, ae.term, k, termAt(k), null), ae.term);
    if (ask(i) !== false) return true;
    // Where the persisted log stops matching the leader's, within what this request showed of it.
    let ends: string;
    if (ae.prevLogIndex > 0 && ask(ae.prevLogIndex) !== true) {
      ends = `does not hold index ${ae.prevLogIndex} (term ${ae.prevLogTerm}) either`;
    } else {
      let lo = ae.prevLogIndex;
      let hi = i;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (ask(mid) === true) lo = mid;
        else hi = mid;
      }
      ends = `ends at ${lo}`;
    }
    return this.report(
      server,
      "log entry",
      `S${server} acknowledged entries up to ${i} in T${ae.term} to S${caller}, but its persisted state ${ends} (Figure 2: log[] is on stable storage before responding to RPCs)`,
      [server, caller],
      ae.term,
      i,
    );
  }

  /** Reports a finding; returns whether checking goes on (it was a warning: the peer is not asked again). */
  private report(peer: number, what: Forgotten, detail: string, peers: readonly number[], term: number, index: number): boolean {
    if (this.fail(peer, what, detail, peers, term, index)) return false;
    (this.peers[peer] as PeerDurability).forgets.add(what);
    return true;
  }
}
