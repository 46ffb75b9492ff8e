// The vocabulary of conformance cases: the peer under test is S0 of three (or five) peers, the script
// plays the others. Wire format: the conventional Figure 2 names (see README "Conformance"): methods
// Raft.RequestVote / Raft.AppendEntries / Raft.InstallSnapshot, arguments and replies with Figure 2's
// field names, entries as {term, command}.

import type { ApplyMsg, Value } from "@raftlab/raft";
import { CaseFailure, ConformPeer } from "./peer.js";

export const RV = "Raft.RequestVote";
export const AE = "Raft.AppendEntries";
export const IS = "Raft.InstallSnapshot";

/** The peer under test. */
export const ME = 0;
/** How long the script lets the peer run after each step (applies may be done from a timer). */
export const SETTLE_MS = 5;

export type Entry = { readonly term: number; readonly command: Value };

/** The entry the script puts at `index` in `term`: its command names both, so applies can be checked. */
export function entry(index: number, term: number): Entry {
  return { term, command: `i${index}t${term}` };
}

/** A log of entries at indices first, first+1, ... with the given terms. */
export function entries(first: number, ...terms: number[]): Entry[] {
  return terms.map((t, k) => entry(first + k, t));
}

export function rvArgs(term: number, candidateId: number, lastLogIndex: number, lastLogTerm: number): Value {
  return { term, candidateId, lastLogIndex, lastLogTerm };
}

export function aeArgs(term: number, leaderId: number, prevLogIndex: number, prevLogTerm: number, es: readonly Entry[], leaderCommit: number): Value {
  return { term, leaderId, prevLogIndex, prevLogTerm, entries: es.map((e) => ({ term: e.term, command: e.command })), leaderCommit };
}

export function isArgs(term: number, leaderId: number, lastIncludedIndex: number, lastIncludedTerm: number): Value {
  return { term, leaderId, lastIncludedIndex, lastIncludedTerm, data: snapshotBytes(lastIncludedIndex, lastIncludedTerm) };
}

export function snapshotBytes(index: number, term: number): Uint8Array {
  return new TextEncoder().encode(`snapshot@${index}t${term}`);
}

/** Replies the script gives to the peer's calls. AppendEntries replies carry common hint fields too. */
export function aeReply(term: number, success: boolean, lastIndex = 0): Value {
  return { term, success, xTerm: -1, xIndex: -1, xLen: lastIndex + 1, conflictIndex: success ? 0 : lastIndex + 1, conflictTerm: -1 };
}
export function rvReply(term: number, voteGranted: boolean): Value {
  return { term, voteGranted };
}

function field(reply: Value | null, name: string, what: string): Value {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply) || reply instanceof Uint8Array) {
    throw new CaseFailure(`${what}: expected a reply object with ${name}, got ${show(reply)}`);
  }
  const v = (reply as { readonly [k: string]: Value })[name];
  if (v === undefined) throw new CaseFailure(`${what}: the reply has no ${name} field (got ${show(reply)}); conform needs Figure 2's names`);
  return v;
}

export function show(v: unknown): string {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  const s = JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));
  return s === undefined ? String(v) : s.length > 160 ? s.slice(0, 157) + "..." : s;
}

export function check(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new CaseFailure(msg);
}

/** The harness a case's steps run against. */
export class Script {
  /** The term the peer must be in now (the script keeps it). */
  term = 0;
  /** The entries the peer must hold (index → entry), as far as the script made it hold them. */
  constructor(readonly p: ConformPeer) {}

  get restarted(): boolean {
    return this.p.restarts > 0;
  }

  async settle(ms = SETTLE_MS): Promise<void> {
    await this.p.advance(ms);
  }

  /** Sends a RequestVote and checks the reply's term and vote. */
  async requestVote(
    a: { term: number; candidate: number; lastIndex: number; lastTerm: number },
    expect: { granted: boolean; term: number },
    why: string,
  ): Promise<void> {
    const reply = await this.p.rpc(RV, rvArgs(a.term, a.candidate, a.lastIndex, a.lastTerm));
    const what = `RequestVote(T${a.term} from S${a.candidate}, last=(${a.lastIndex},${a.lastTerm}))`;
    const granted = field(reply, "voteGranted", what);
    const term = field(reply, "term", what);
    check(granted === expect.granted, `${what}: ${why}, so voteGranted must be ${expect.granted}, got ${show(granted)}`);
    check(term === expect.term, `${what}: the reply's term must be ${expect.term} (the receiver's currentTerm after the request), got ${show(term)}`);
    this.term = Math.max(this.term, expect.term);
    await this.settle();
  }

  /** Sends an AppendEntries and checks success and the reply's term. */
  async appendEntries(
    a: { term: number; leader?: number; prevIndex: number; prevTerm: number; entries?: readonly Entry[]; commit?: number },
    expect: { success: boolean; term?: number },
    why: string,
  ): Promise<void> {
    const es = a.entries ?? [];
    const reply = await this.p.rpc(AE, aeArgs(a.term, a.leader ?? 1, a.prevIndex, a.prevTerm, es, a.commit ?? 0));
    const what = `AppendEntries(T${a.term}, prev=(${a.prevIndex},${a.prevTerm}), ${es.length} entries, leaderCommit=${a.commit ?? 0})`;
    const success = field(reply, "success", what);
    const term = field(reply, "term", what);
    const wantTerm = expect.term ?? a.term;
    check(success === expect.success, `${what}: ${why}, so success must be ${expect.success}, got ${show(success)}`);
    check(term === wantTerm, `${what}: the reply's term must be ${wantTerm}, got ${show(term)}`);
    this.term = Math.max(this.term, wantTerm);
    await this.settle();
  }

  /** Sends an InstallSnapshot and checks the reply's term. */
  async installSnapshot(a: { term: number; leader?: number; index: number; lastTerm: number }, expectTerm: number): Promise<void> {
    const reply = await this.p.rpc(IS, isArgs(a.term, a.leader ?? 1, a.index, a.lastTerm));
    const what = `InstallSnapshot(T${a.term}, last included (${a.index},${a.lastTerm}))`;
    const term = field(reply, "term", what);
    check(term === expectTerm, `${what}: the reply's term must be ${expectTerm}, got ${show(term)}`);
    this.term = Math.max(this.term, expectTerm);
    await this.settle();
  }

  expectState(term: number, isLeader: boolean, why: string): void {
    const s = this.p.state();
    check(
      s.term === term && s.isLeader === isLeader,
      `${why}: getState() must be (term ${term}, isLeader ${isLeader}), got (term ${s.term}, isLeader ${s.isLeader})`,
    );
  }

  /**
   * The commands applied by the current incarnation are the log's, in order from `from`, and reach
   * exactly `upTo` (only "at most" after a restart: a restarted peer re-learns commitIndex).
   */
  expectApplied(log: ReadonlyMap<number, Entry>, upTo: number, why: string, from = 1): void {
    const cmds = this.p.applied.filter((m): m is Extract<ApplyMsg, { commandValid: true }> => m.commandValid);
    let next = from;
    for (const m of cmds) {
      check(m.commandIndex === next, `${why}: applied index ${m.commandIndex} where ${next} was next (applies must be in order, once each)`);
      const e = log.get(m.commandIndex);
      check(
        e !== undefined && e.command === m.command,
        `${why}: applied ${show(m.command)} at index ${m.commandIndex}, but the log there holds ${show(e?.command ?? null)}`,
      );
      next++;
    }
    const last = next - 1;
    if (this.restarted) check(last <= upTo, `${why}: applied up to index ${last}, but only ${upTo} may be committed`);
    else check(last === upTo, `${why}: applied up to index ${last}, expected exactly ${upTo}`);
  }

  /** Snapshot ApplyMsgs delivered by the current incarnation. */
  snapshotsApplied(): Array<{ index: number; term: number }> {
    return this.p.applied.flatMap((m) => (m.snapshotValid ? [{ index: m.snapshotIndex, term: m.snapshotTerm }] : []));
  }

  /**
   * The snapshots delivered on applyCh by the current incarnation are exactly `want` ((index, term)
   * pairs, in order); after a restart only a suffix of them: the new incarnation saw only what came after.
   */
  expectSnapshotsApplied(want: ReadonlyArray<readonly [number, number]>, why: string): void {
    const got = this.snapshotsApplied();
    const g = got.map((x) => `(${x.index},T${x.term})`).join(" ");
    const w = want.map(([i, t]) => `(${i},T${t})`).join(" ");
    const ok = this.restarted ? w.endsWith(g) : g === w;
    check(ok, `${why}: the snapshots delivered on applyCh are [${g}], expected [${w}]`);
  }

  /**
   * What the peer persisted, read from restarted copies (the peer itself is not disturbed): the term,
   * that it holds every entry of `log` from `first` to `last` (it commits them when told and applies
   * exactly those commands), and that it holds none of `absent` ((index, term) pairs).
   */
  async expectPersisted(
    want: {
      term: number;
      log?: ReadonlyMap<number, Entry>;
      first?: number;
      last?: number;
      absent?: ReadonlyArray<readonly [number, number]>;
      snapshot?: readonly [number, number] | null;
    },
    why: string,
  ): Promise<void> {
    const copy = await this.p.restartedCopy();
    try {
      const t = copy.state().term;
      check(
        t >= want.term,
        `${why}: restarted from its persisted state the peer is in term ${t}, but it had replied in term ${want.term} (currentTerm must be persisted)`,
      );
      const last = want.last ?? 0;
      if (want.log !== undefined && last > 0) {
        const first = want.first ?? 1;
        const e = want.log.get(last);
        check(e !== undefined, `internal: the script's log lacks ${last}`);
        const reply = await copy.rpc(AE, aeArgs(want.term, 1, last, e.term, [], last));
        const ok = reply !== null && typeof reply === "object" && (reply as { success?: Value }).success === true;
        check(
          ok,
          `${why}: restarted from its persisted state the peer does not hold entry ${last} of term ${e.term} (AppendEntries with prev=(${last},${e.term}) failed): entries acknowledged to a leader must be kept (not truncated) and persisted before replying`,
        );
        await copy.advance(SETTLE_MS);
        const cmds = copy.applied.filter((m): m is Extract<ApplyMsg, { commandValid: true }> => m.commandValid);
        const got = cmds.map((m) => `${m.commandIndex}:${show(m.command)}`).join(" ");
        const exp: string[] = [];
        for (let i = first; i <= last; i++) exp.push(`${i}:${show(want.log.get(i)?.command ?? null)}`);
        check(
          got === exp.join(" "),
          `${why}: restarted from its persisted state and told to commit up to ${last}, the peer applied [${got}], expected [${exp.join(" ")}]`,
        );
      }
      if (want.snapshot === null) {
        const snap = copy.persister.readSnapshot();
        check(snap.length === 0, `${why}: the peer persisted a snapshot (${show(snap)}), but it must have installed none`);
      } else if (want.snapshot !== undefined) {
        const snap = copy.persister.readSnapshot();
        const [i, term] = want.snapshot;
        const exp = snapshotBytes(i, term);
        check(Buffer.from(snap).equals(Buffer.from(exp)), `${why}: the persisted snapshot is ${show(snap)}, expected the one at ${i} (T${term})`);
      }
    } finally {
      copy.kill();
    }
    for (const [index, term] of want.absent ?? []) {
      const probe = await this.p.restartedCopy();
      try {
        const reply = await probe.rpc(AE, aeArgs(want.term, 1, index, term, [], 0));
        const ok = reply !== null && typeof reply === "object" && (reply as { success?: Value }).success === true;
        check(!ok, `${why}: the peer still holds an entry at index ${index} of term ${term} (AppendEntries with prev=(${index},${term}) succeeded)`);
      } finally {
        probe.kill();
      }
    }
  }

  /** Lets time pass until the peer starts an election; returns the term it stands in and its RequestVotes. */
  async awaitElection(limitMs = 5_000): Promise<{ term: number; from: number }> {
    const from = this.p.calls.length;
    for (let waited = 0; waited < limitMs; waited += 10) {
      const before = this.p.state();
      await this.p.advance(10);
      const after = this.p.state();
      check(
        !after.isLeader || before.isLeader,
        `the peer became leader of term ${after.term} on its own vote alone: a candidate needs votes from a majority of servers (${Math.floor(this.p.n / 2) + 1} of ${this.p.n})`,
      );
      const rvs = this.p.sent(RV, from);
      if (rvs.length > 0) {
        const a = rvs[0]?.args as { term?: Value };
        check(typeof a.term === "number", `the peer's RequestVote has no numeric term: ${show(rvs[0]?.args)}`);
        this.term = a.term;
        return { term: a.term, from };
      }
    }
    throw new CaseFailure(
      `the peer did not start an election within ${limitMs} ms without a leader (Figure 2, followers: on election timeout, convert to candidate)`,
    );
  }

  /** Makes the peer leader: waits for its election and grants it S1's vote. */
  async becomeLeader(): Promise<{ term: number; from: number }> {
    const e = await this.awaitElection();
    const rv = this.p.sent(RV, e.from, 1)[0];
    check(rv !== undefined, "the candidate sent no RequestVote to S1");
    this.expectState(e.term, false, `a candidate of term ${e.term} with only its own vote (a majority of ${this.p.n} is ${Math.floor(this.p.n / 2) + 1})`);
    await rv.answer(rvReply(e.term, true));
    await this.settle();
    this.expectState(e.term, true, `granted a majority of votes (its own and S1's of ${this.p.n}) in term ${e.term}`);
    return { term: e.term, from: this.p.calls.length };
  }

  /** Answers every unanswered AppendEntries with success (covering what it sent). */
  async answerAppends(term: number): Promise<void> {
    // A copy: answering may make the peer send more, answered at the next call.
    for (const c of [...this.p.calls]) {
      if (c.answered || c.method !== AE) continue;
      const a = c.args as { prevLogIndex?: number; entries?: readonly Value[] };
      await c.answer(aeReply(term, true, (a.prevLogIndex ?? 0) + (a.entries?.length ?? 0)));
    }
  }
}

/** A log map from entries starting at index 1. */
export function logOf(...es: Entry[]): Map<number, Entry> {
  return new Map(es.map((e, k) => [k + 1, e]));
}
