// Figure 2 rules checked online from outside the Raft, at the moment they are broken, so a failure names
// the rule rather than a later consequence (a Leader Completeness failure many events on). Everything
// comes from what the simulated network and the tester see of any Raft, instrumented or not: each RPC's
// arguments, the reply its handler returned, the reply delivered to the caller, start() results and
// applies. Each check is sound: a Raft that follows Figure 2 cannot trip it (the reasoning is next to
// each check, and in the README). Rafts whose messages do not use the conventional field names are
// simply not checked by the rules that need those fields.

import type { Value } from "@raftlab/raft";
import { readAppendEntries } from "./append-entries.js";

/** Appends a violation; the caller (InvariantChecker) keeps only the first. */
export type Fail = (invariant: Figure2Rule, detail: string, peers: readonly number[], term: number, index: number) => void;
/** A counted warning (a lab guideline rather than a safety rule); `--strict` makes it a failure. */
export type Warn = (kind: string, message: string, peers: readonly number[], term: number) => void;

export const FIGURE2_RULES = [
  "Reply Term",
  "Leader Majority",
  "Up-To-Date Vote",
  "Keep Matching Entries",
  "Commit Rule",
  "Snapshot Order",
  "Heartbeat Rate",
] as const;
export type Figure2Rule = (typeof FIGURE2_RULES)[number];

/** The lab's limit: at most ten heartbeats per second from a leader to each follower. */
export const HEARTBEATS_PER_SECOND = 10;

const REQUEST_VOTE = /requestvote/i;
const INSTALL_SNAPSHOT = /installsnapshot/i;

/** A top-level field of an RPC's arguments or reply, in any letter case, with or without underscores. */
export function readField(v: Value | null | undefined, name: string): Value | undefined {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const o = v as { readonly [key: string]: Value };
  const direct = o[name];
  if (direct !== undefined) return direct;
  const want = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.replace(/_/g, "").toLowerCase() === want) return o[key];
  return undefined;
}

export function readNumber(v: Value | null | undefined, name: string): number | null {
  const x = readField(v, name);
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** The last entry a peer's log is known to hold at least (in the §5.4.1 up-to-date order). */
interface LogBound {
  readonly index: number;
  readonly term: number;
  /** The leader term it was learned in: a later AppendEntries of the same term can only extend it. */
  readonly leaderTerm: number;
}

const upToDate = (aTerm: number, aIndex: number, bTerm: number, bIndex: number): boolean => aTerm > bTerm || (aTerm === bTerm && aIndex >= bIndex);

export class Figure2Checker {
  private n = 0;
  /** (candidate, term) -> voters whose granting reply reached the candidate. */
  private readonly grants = new Map<string, Set<number>>();
  /** (candidate, term) pairs in which the candidate asked for votes. */
  private readonly candidacies = new Set<string>();
  private readonly checkedLeaders = new Set<string>();
  private readonly logBound = new Map<number, LogBound>();
  /** How far each peer may have committed: what it verified from leaders, or counted as leader. */
  private readonly commitBound = new Map<number, number>();
  /** What set each peer's commit bound, for the Commit Rule's message. */
  private readonly commitSource = new Map<number, string>();
  /** The latest AppendEntries each peer accepted (leader, term, prevLogIndex, entries, leaderCommit). */
  private readonly lastAccepted = new Map<number, { readonly text: string; readonly leader: number; readonly term: number }>();
  /** (leader, term) -> follower -> highest index it acknowledged. */
  private readonly acks = new Map<string, Map<number, number>>();
  /** (leader, follower) -> times of its latest heartbeats (ring of HEARTBEATS_PER_SECOND + 1). */
  private readonly beats = new Map<number, number[]>();
  private readonly warnedBeats = new Set<string>();
  /** follower -> the highest index it acknowledged to the leader of `term` (this incarnation). */
  private readonly acked = new Map<number, { readonly term: number; index: number }>();
  /** Indices at or below this may be compacted into the peer's snapshot. */
  private readonly snapshotFloor = new Map<number, number>();
  /** Applies beyond the commit bound, judged once the event that made them is over (see applied()). */
  private readonly pendingApplies = new Map<number, number>();

  constructor(
    private readonly fail: Fail,
    private readonly warn: Warn,
  ) {}

  setPeers(n: number): void {
    this.n = n;
  }

  // ---- requests sent ------------------------------------------------------------------------

  requestSent(from: number, to: number, method: string, args: Value, now: number): void {
    if (REQUEST_VOTE.test(method)) {
      const term = readNumber(args, "term");
      if (term !== null) this.candidacies.add(`${from}/${term}`);
      return;
    }
    const ae = readAppendEntries(method, args);
    if (ae === null || ae.entries.length > 0 || from === to) return;
    // Heartbeat Rate (lab, 3A): at most ten per second to each follower. 11 heartbeats within less than
    // one second break it; exactly every 100 ms does not.
    const key = from * 64 + to;
    let ring = this.beats.get(key);
    if (ring === undefined) {
      ring = [];
      this.beats.set(key, ring);
    }
    ring.push(now);
    if (ring.length > HEARTBEATS_PER_SECOND + 1) ring.shift();
    if (ring.length === HEARTBEATS_PER_SECOND + 1 && now - (ring[0] as number) < 1000) {
      const episode = `${from}/${to}/${ae.term}`;
      if (this.warnedBeats.has(episode)) return;
      this.warnedBeats.add(episode);
      this.warn(
        "Heartbeat Rate",
        `S${from} sent S${to} ${HEARTBEATS_PER_SECOND + 1} heartbeats within ${Math.round(now - (ring[0] as number))} ms in term ${ae.term} (the lab allows at most ${HEARTBEATS_PER_SECOND} per second)`,
        [from, to],
        ae.term,
      );
    }
  }

  // ---- requests handled -----------------------------------------------------------------------

  handled(server: number, caller: number, method: string, args: Value, reply: Value): void {
    const reqTerm = readNumber(args, "term");
    const replyTerm = readNumber(reply, "term");
    // Reply Term. Figure 2, all servers: a request with term T > currentTerm makes the server adopt T
    // before it does anything else; otherwise its term is already >= T. Either way its reply carries >= T.
    if (reqTerm !== null && replyTerm !== null && replyTerm < reqTerm) {
      this.fail(
        "Reply Term",
        `S${server} answered S${caller}'s ${short(method)} of term ${reqTerm} with term ${replyTerm} (Figure 2, all servers: a request with a higher term is adopted before anything else, so a reply's term is never below the request's)`,
        [server, caller],
        reqTerm,
        -1,
      );
      return;
    }
    if (REQUEST_VOTE.test(method)) {
      if (readField(reply, "voteGranted") === true) this.checkUpToDateVote(server, caller, args, reqTerm);
      return;
    }
    if (reqTerm === null || replyTerm !== reqTerm) return; // A stale request, refused on its term.
    const success = readField(reply, "success");
    const ae = readAppendEntries(method, args);
    if (ae !== null) {
      const acked = this.acked.get(server);
      if (success === false) {
        if (acked !== undefined && acked.term === reqTerm) this.checkKeptEntries(server, caller, ae.prevLogIndex, ae.prevLogTerm, reqTerm, acked.index);
        // Some Rafts delete a conflicting suffix on a failed check: the bound is no longer known.
        this.logBound.delete(server);
        return;
      }
      if (success !== true) return;
      const last = ae.prevLogIndex + ae.entries.length;
      if (acked === undefined || acked.term !== reqTerm) this.acked.set(server, { term: reqTerm, index: last });
      else if (last > acked.index) acked.index = last;
      const lastTerm = ae.entries.length > 0 ? (ae.entries[ae.entries.length - 1]?.term as number) : ae.prevLogTerm;
      this.raiseLogBound(server, { index: last, term: lastTerm, leaderTerm: reqTerm });
      const leaderCommit = readNumber(args, "leaderCommit");
      // AppendEntries 5: commitIndex = min(leaderCommit, index of last new entry).
      const shown = `S${caller}'s AppendEntries of term ${reqTerm} (prevLogIndex ${ae.prevLogIndex}, ${ae.entries.length} entries, leaderCommit ${leaderCommit ?? "?"})`;
      this.lastAccepted.set(server, { text: shown, leader: caller, term: reqTerm });
      if (leaderCommit !== null) this.raiseCommitBound(server, Math.min(leaderCommit, last), `${shown} verified up to ${last}`);
      return;
    }
    if (INSTALL_SNAPSHOT.test(method)) {
      const index = readNumber(args, "lastIncludedIndex");
      const term = readNumber(args, "lastIncludedTerm");
      if (index === null || term === null) return;
      this.snapshotted(server, index);
      this.raiseLogBound(server, { index, term, leaderTerm: reqTerm });
      this.raiseCommitBound(server, index, `S${caller}'s InstallSnapshot of term ${reqTerm} up to ${index}`);
    }
  }

  /**
   * Keep Matching Entries (Log Matching after a successful AppendEntries). Figure 2, AppendEntries 3: a
   * follower deletes entries only where they conflict with the leader's. Once it acknowledged entries up
   * to `ackedIndex` to the leader of term T, its log matches that leader's up to there, and the leader's
   * log never changes within T (Leader Append-Only); so any later AppendEntries of T whose prevLogIndex
   * is at or below `ackedIndex` must pass the consistency check. An InstallSnapshot of T keeps a matching
   * suffix (Figure 13, step 6), and a later term or a restart ends the promise. Indices the follower may
   * have compacted are left alone (some Rafts refuse a prevLogIndex inside their snapshot).
   */
  private checkKeptEntries(server: number, leader: number, prevLogIndex: number, prevLogTerm: number, term: number, ackedIndex: number): void {
    if (prevLogIndex > ackedIndex || prevLogIndex <= (this.snapshotFloor.get(server) ?? 0)) return;
    this.fail(
      "Keep Matching Entries",
      `S${server} acknowledged entries up to index ${ackedIndex} to S${leader} in term ${term}, then refused its AppendEntries with prevLogIndex ${prevLogIndex} (term ${prevLogTerm}) in the same term: it dropped entries that matched the leader's (Figure 2, AppendEntries 3: delete only entries that conflict)`,
      [server, leader],
      term,
      prevLogIndex,
    );
  }

  /** The peer's snapshot may reach `index` (the service snapshotted there, or it installed one). */
  snapshotted(peer: number, index: number): void {
    if (index > (this.snapshotFloor.get(peer) ?? 0)) this.snapshotFloor.set(peer, index);
  }

  /** A peer restarted: what its previous incarnation acknowledged is the durability probes' business. */
  restarted(peer: number): void {
    this.acked.delete(peer);
  }

  /**
   * Up-To-Date Vote. Figure 2, RequestVote 2 (§5.4.1): a vote goes only to a candidate whose log is at
   * least as up to date as the voter's. The voter's log is known to reach at least `logBound`: the last
   * entry of the latest AppendEntries (or InstallSnapshot) it accepted, or its own last Start() as leader.
   * A Figure 2 follower deletes entries only on a conflict with a newer leader, whose accepted message
   * then sets a new bound; and a failed consistency check forgets the bound (see handled()).
   */
  private checkUpToDateVote(voter: number, candidate: number, args: Value, term: number | null): void {
    const bound = this.logBound.get(voter);
    const lastLogIndex = readNumber(args, "lastLogIndex");
    const lastLogTerm = readNumber(args, "lastLogTerm");
    if (bound === undefined || lastLogIndex === null || lastLogTerm === null) return;
    if (upToDate(lastLogTerm, lastLogIndex, bound.term, bound.index)) return;
    this.fail(
      "Up-To-Date Vote",
      `S${voter} granted S${candidate} its vote in term ${term ?? "?"}, but S${candidate}'s log ends at index ${lastLogIndex} (term ${lastLogTerm}) and S${voter}'s reaches at least index ${bound.index} (term ${bound.term}) (Figure 2, RequestVote 2: vote only for a candidate whose log is at least as up to date, §5.4.1)`,
      [voter, candidate],
      term ?? -1,
      bound.index,
    );
  }

  private raiseLogBound(peer: number, b: LogBound): void {
    const old = this.logBound.get(peer);
    if (old !== undefined && old.leaderTerm === b.leaderTerm && upToDate(old.term, old.index, b.term, b.index)) return;
    this.logBound.set(peer, b);
  }

  private raiseCommitBound(peer: number, index: number, source: string): void {
    if (index <= (this.commitBound.get(peer) ?? 0)) return;
    this.commitBound.set(peer, index);
    this.commitSource.set(peer, source);
  }

  // ---- replies delivered ----------------------------------------------------------------------

  replyDelivered(caller: number, server: number, method: string, reply: Value, args: Value): void {
    const replyTerm = readNumber(reply, "term");
    if (replyTerm === null) return;
    if (REQUEST_VOTE.test(method)) {
      if (readField(reply, "voteGranted") !== true) return;
      // A granting voter's term is the candidate's term of that request.
      const key = `${caller}/${replyTerm}`;
      let voters = this.grants.get(key);
      if (voters === undefined) {
        voters = new Set();
        this.grants.set(key, voters);
      }
      voters.add(server);
      return;
    }
    const ae = readAppendEntries(method, args);
    if (ae === null || replyTerm !== ae.term || readField(reply, "success") !== true) return;
    // The leader's matchIndex for this follower, and so the highest index it may count as committed.
    const key = `${caller}/${ae.term}`;
    let acks = this.acks.get(key);
    if (acks === undefined) {
      acks = new Map();
      this.acks.set(key, acks);
    }
    const last = ae.prevLogIndex + ae.entries.length;
    if (last <= (acks.get(server) ?? 0)) return;
    acks.set(server, last);
    const sorted = [...acks.values()].sort((a, b) => b - a);
    // The leader counts itself: a majority needs floor(n/2) followers.
    const majorityIndex = sorted[Math.floor(this.n / 2) - 1];
    if (majorityIndex !== undefined) this.raiseCommitBound(caller, majorityIndex, `a majority's acknowledgements to it as leader of term ${ae.term}`);
  }

  // ---- leaders, starts, applies ----------------------------------------------------------------

  /**
   * Leader Majority. Figure 2, candidates: become leader on votes from a majority in the term. Checked
   * for a peer seen asking for votes in that term, against the granting replies that reached it (a
   * candidate cannot count a reply it never got).
   */
  newLeader(peer: number, term: number): void {
    const key = `${peer}/${term}`;
    if (this.checkedLeaders.has(key) || !this.candidacies.has(key) || this.n === 0) return;
    this.checkedLeaders.add(key);
    const voters = this.grants.get(key) ?? new Set<number>();
    voters.add(peer);
    if (voters.size * 2 > this.n) return;
    const list = [...voters]
      .sort((a, b) => a - b)
      .map((v) => `S${v}`)
      .join(", ");
    this.fail(
      "Leader Majority",
      `S${peer} became leader of term ${term} with votes from ${list} only (${voters.size} of ${this.n} servers; Figure 2, candidates: a majority of votes in this term, counted from granting replies of this term)`,
      [peer],
      term,
      -1,
    );
  }

  started(peer: number, index: number, term: number): void {
    this.raiseLogBound(peer, { index, term, leaderTerm: term });
  }

  /** A peer restored a snapshot at boot: everything up to it was committed. */
  restored(peer: number, snapshotIndex: number): void {
    this.snapshotted(peer, snapshotIndex);
    this.raiseCommitBound(peer, snapshotIndex, `its snapshot up to ${snapshotIndex}, restored at boot`);
  }

  /**
   * Commit Rule. Figure 2, AppendEntries 5: a follower's commitIndex is at most min(leaderCommit, index
   * of last new entry) of an accepted AppendEntries; a leader's is at most what a majority acknowledged
   * to it in its term (Leaders, last rule). So nothing beyond that bound is ever applied.
   */
  applied(peer: number, index: number): boolean {
    // A Raft may apply inside the very handler whose AppendEntries allows it, before the checker sees
    // that handler's reply: judge at the end of the peer's event (settle). True: judgment pending.
    if (index <= (this.commitBound.get(peer) ?? 0)) return false;
    if (!this.pendingApplies.has(peer)) this.pendingApplies.set(peer, index);
    return true;
  }

  /** The end of one of the peer's events: any apply of it beyond the bound now is a violation. */
  settle(peer: number): void {
    const index = this.pendingApplies.get(peer);
    if (index === undefined) return;
    this.pendingApplies.delete(peer);
    const bound = this.commitBound.get(peer) ?? 0;
    if (index <= bound) return;
    const source = this.commitSource.get(peer);
    const last = this.lastAccepted.get(peer);
    const why = [
      source === undefined ? "nothing verified yet" : `bound set by ${source}`,
      ...(last === undefined ? [] : [`latest accepted: ${last.text}`]),
    ].join("; ");
    this.fail(
      "Commit Rule",
      `S${peer} applied index ${index}, but the entries it verified with a leader (or, as leader, saw a majority acknowledge) end at ${bound} (${why}) (Figure 2, AppendEntries 5: commitIndex = min(leaderCommit, index of last new entry))`,
      last === undefined ? [peer] : [peer, last.leader],
      last?.term ?? -1,
      index,
    );
  }

  /**
   * Snapshot Order. The service's state never moves backwards: a snapshot older than what was already
   * applied is not delivered (Figure 13, InstallSnapshot: discard a snapshot the log already covers).
   */
  snapshotApplied(peer: number, snapshotIndex: number, lastApplied: number): void {
    this.snapshotted(peer, snapshotIndex);
    if (snapshotIndex >= lastApplied) {
      this.raiseCommitBound(peer, snapshotIndex, `the snapshot up to ${snapshotIndex} it delivered`);
      return;
    }
    this.fail(
      "Snapshot Order",
      `S${peer} delivered a snapshot up to index ${snapshotIndex} after applying up to ${lastApplied}: the service's state would move backwards (Figure 13, InstallSnapshot 6-8: a snapshot older than the log's committed state is ignored)`,
      [peer],
      -1,
      snapshotIndex,
    );
  }
}

function short(method: string): string {
  return method.replace(/^.*\./, "");
}
