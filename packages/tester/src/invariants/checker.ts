// Online checks of the five Raft safety properties (Figure 3 of the Raft paper). The checker never
// reads a trace: it uses what the tester itself observes, so it works the same with tracing on or
// off, and on any Raft (a student's, with no instrumentation at all):
//   - every peer's getState() after each of its events, and every start()/getState() the tests make;
//   - every AppendEntries request a live peer sends (see append-entries.ts): a view of the sender's log;
//   - every command applied, by any peer.
// Each check is sound: a correct Raft can never trip it.

import type { Value } from "@raftlab/raft";
import { formatValue, valueEquals } from "./values.js";
import { readAppendEntries } from "./append-entries.js";
import { Figure2Checker, FIGURE2_RULES, type Figure2Rule } from "./figure2.js";

export const INVARIANTS = [
  "Election Safety",
  "Leader Append-Only",
  "Log Matching",
  "Leader Completeness",
  "State Machine Safety",
  // Not one of Figure 3's five properties but a Figure 2 rule ("All Servers: if RPC request or response
  // contains term T > currentTerm: set currentTerm = T, convert to follower"), checked from outside.
  "Term Rule",
  // Figure 2: votedFor is on stable storage before responding, so a server grants at most one
  // candidate per term, even across crashes and restarts.
  "One Vote Per Term",
  // Figure 2 (Followers): granting a vote resets the election timer. A counted warning (see
  // MIN_ELECTION_TIMEOUT_MS), a violation only under --strict.
  "Vote Resets Timer",
  // Figure 2 rules checked where they are broken (figure2.ts), and the restart probes' durability rule.
  ...FIGURE2_RULES,
  "Persist Before Reply",
] as const;
export type InvariantName = (typeof INVARIANTS)[number] | Figure2Rule;

/** A counted warning: a lab guideline broken, not a safety property (`--strict` makes it a failure). */
export interface Warning {
  readonly kind: string;
  readonly message: string;
  readonly peers: readonly number[];
  readonly term: number;
}

export interface Violation {
  readonly invariant: InvariantName;
  /** One line: the property, the peers, the term and the index. */
  readonly message: string;
  readonly peers: readonly number[];
  readonly term: number;
  readonly index: number;
}

/** What one AppendEntries showed of its sender's log at one index. */
interface SeenEntry {
  readonly term: number;
  /** The command, when the message carried the entry (undefined for a prevLogIndex/prevLogTerm pair). */
  readonly command: Value | undefined;
  /** The term of the entry before it, when the message showed it. */
  readonly prevTerm: number | undefined;
  readonly peer: number;
}

interface Applied {
  readonly command: Value;
  readonly peer: number;
  /** No leader of a term above this can have committed it: the highest term seen when it was applied. */
  readonly termBound: number;
}

/** Entries are keyed by (index, term) in one number: terms stay far below 2^21 in any test. */
const TERM_SPAN = 2 ** 21;

/**
 * The Term Rule allows a peer this long (virtual ms) after a reply with a higher term is delivered to
 * it before a request it sends must carry at least that term: generous for a Raft that handles replies
 * in a later loop iteration rather than at once, and far shorter than a heartbeat interval.
 */
export const TERM_RULE_GRACE_MS = 50;

/**
 * Vote Resets Timer (Figure 2, followers: granting a vote resets the election timer) is a counted
 * warning, not a violation: a check on timings alone cannot prove the bug without a lower bound on the
 * peer's election timeout, and a correct Raft may use short ones (80-160 ms) and still pass the lab. A
 * peer is warned about when it starts an election sooner after granting a vote than both this bound
 * (the lab's heartbeat interval: shorter timeouts would expire between heartbeats) and the shortest
 * quiet spell it has shown so far (from a leader's AppendEntries to its next election, no vote between).
 * `--strict` makes the warning a failure; `raftlab conform` checks the rule with scripted time.
 */
export const MIN_ELECTION_TIMEOUT_MS = 100;

/** What a Raft without persistence would forget on a crash (the restart probes' findings). */
export type Forgotten = "term" | "vote" | "log entry";

/**
 * The lab asks for persistence in part 3C: in 3A and 3B a missing persist is a counted warning under the
 * Persist Before Reply name (`--strict` fails it), as Go's 3A and 3B pass a Raft whose persist() is a
 * TODO; in 3C and 3D, and wherever the part is unknown, it is a violation.
 */
export interface CheckerOptions {
  readonly persistenceRequired?: boolean;
}

interface ReplyTerm {
  readonly term: number;
  readonly from: number;
  readonly at: number;
  /** What carried the term: "a reply" or "a RequestVote" etc. */
  readonly via: string;
}

export class InvariantChecker {
  private violated = false;
  private maxTerm = 0;
  private readonly leaderOf = new Map<number, number>();
  /** (index, term) -> what a log holding that entry showed: Log Matching. */
  private readonly entries = new Map<number, SeenEntry>();
  /** leader (peer * TERM_SPAN + term) -> index -> entry term it sent: Leader Append-Only. */
  private readonly leaderLogs = new Map<number, Map<number, SeenEntry>>();
  private readonly applied = new Map<number, Applied>();
  /** The highest term each live incarnation has been told in a reply. */
  private readonly replyTerms = new Map<number, ReplyTerm>();
  /** (voter, term) -> the candidate it voted for, once that vote must be on stable storage. */
  private readonly votes = new Map<number, number>();
  /** The term each peer last asked for votes in (its self-vote, not yet known to be persisted). */
  private readonly selfVoteTerm = new Map<number, number>();
  /** When each live incarnation last granted a vote, and in which term. */
  private readonly lastGrant = new Map<number, { readonly at: number; readonly term: number; readonly candidate: number }>();

  /**
   * A State Machine Safety failure of an apply whose Commit Rule judgment is pending: raised at the end
   * of the peer's event unless the Commit Rule, the cause, fires first (see observeApply).
   */
  private readonly deferred = new Map<number, () => void>();

  /** Figure 2 rules checked at the moment they are broken (figure2.ts). */
  readonly figure2: Figure2Checker;

  /** Per peer: when it last accepted an AppendEntries from a current leader (its timer reset). */
  private readonly lastLeaderContact = new Map<number, number>();
  /** Per peer: the shortest spell from a leader's AppendEntries to its next election, with no vote between. */
  private readonly shortestQuiet = new Map<number, number>();
  /** Peers already warned about, once per (peer, term). */
  private readonly warnedTimer = new Set<string>();

  private readonly persistenceRequired: boolean;

  constructor(
    private readonly onViolation: (v: Violation) => void,
    private readonly onWarning: (w: Warning) => void = () => {},
    options: CheckerOptions = {},
  ) {
    this.persistenceRequired = options.persistenceRequired ?? true;
    this.figure2 = new Figure2Checker(
      (invariant, detail, peers, term, index) => this.fail(invariant, detail, peers, term, index),
      (kind, message, peers, term) => {
        if (!this.violated) onWarning({ kind, message, peers, term });
      },
    );
  }

  /** The number of servers (for majorities). */
  setPeers(n: number): void {
    this.figure2.setPeers(n);
  }

  get failed(): boolean {
    return this.violated;
  }

  /** A violation is certain but not yet named (the run fails at the end of the current event). */
  get holding(): boolean {
    return this.deferred.size > 0;
  }

  /** Raises what is still deferred (the end of the run). */
  flush(): void {
    for (const peer of [...this.deferred.keys()]) this.settle(peer);
  }

  private settle(peer: number): void {
    this.figure2.settle(peer);
    const raise = this.deferred.get(peer);
    this.deferred.delete(peer);
    if (raise !== undefined && !this.violated) raise();
  }

  /**
   * A getState() or start() result. With `now` (the poll after each of the peer's events): a peer told
   * of a higher term TERM_RULE_GRACE_MS ago must report it by now (Figure 2, all servers).
   */
  observeState(peer: number, term: number, isLeader: boolean, now?: number): void {
    if (this.violated) return;
    if (term > this.maxTerm) this.maxTerm = term;
    if (isLeader) this.observeLeader(peer, term, "getState");
    if (now === undefined) return;
    this.settle(peer);
    if (this.violated) return;
    const told = this.replyTerms.get(peer);
    if (told !== undefined && term < told.term && now - told.at >= TERM_RULE_GRACE_MS) {
      this.fail(
        "Term Rule",
        `peer ${peer} still reports term ${term}${isLeader ? " as leader" : ""} ${now - told.at} ms after ${told.via} from peer ${told.from} told it of term ${told.term} (Figure 2, all servers: a request or reply with a higher term must make it adopt that term)`,
        [peer, told.from],
        told.term,
        -1,
      );
    }
  }

  /** A Start() a leader accepted: its log now ends there. */
  observeStart(peer: number, index: number, term: number): void {
    if (!this.violated) this.figure2.started(peer, index, term);
  }

  /** The tester ingested a restarted peer's snapshot: everything up to it was committed. */
  observeRestore(peer: number, snapshotIndex: number): void {
    if (!this.violated) this.figure2.restored(peer, snapshotIndex);
  }

  /** The service asked the peer to snapshot up to `index` (its log may be compacted to there). */
  observeSnapshot(peer: number, index: number): void {
    this.figure2.snapshotted(peer, index);
  }

  /** A snapshot delivered on the apply channel, after `lastApplied`. */
  observeSnapshotApply(peer: number, snapshotIndex: number, lastApplied: number): void {
    if (!this.violated) this.figure2.snapshotApplied(peer, snapshotIndex, lastApplied);
  }

  /** A peer was (re)started: a term it was told but had not persisted may be legitimately forgotten. */
  observeRestart(peer: number): void {
    this.replyTerms.delete(peer);
    this.lastGrant.delete(peer);
    this.lastLeaderContact.delete(peer);
    this.figure2.restarted(peer);
  }

  /** A reply delivered to a live peer (`to`) from `from`, with the arguments of its request. */
  observeReply(to: number, from: number, reply: Value, now: number, method = "", args: Value = null): void {
    if (this.violated) return;
    const term = readTerm(reply);
    if (term === null) return;
    if (term > this.maxTerm) this.maxTerm = term;
    this.learnTerm(to, from, term, now, "a reply");
    if (method !== "") this.figure2.replyDelivered(to, from, method, reply, args);
  }

  private learnTerm(peer: number, from: number, term: number, now: number, via: string): void {
    const prior = this.replyTerms.get(peer);
    if (prior === undefined || term > prior.term) this.replyTerms.set(peer, { term, from, at: now, via });
  }

  /** A request a live peer sent (to peer `to`, or -1 if unknown). */
  observeRequest(from: number, method: string, args: Value, now = 0, to = -1): void {
    if (this.violated) return;
    if (to >= 0) this.figure2.requestSent(from, to, method, args, now);
    if (this.violated) return;
    const told = this.replyTerms.get(from);
    if (told !== undefined && now - told.at >= TERM_RULE_GRACE_MS) {
      const term = readTerm(args);
      if (term !== null && term < told.term) {
        this.fail(
          "Term Rule",
          `peer ${from} sent ${method} in term ${term}, ${now - told.at} ms after ${told.via} from peer ${told.from} told it of term ${told.term} (Figure 2, all servers: a request or reply with a higher term must make it adopt that term)`,
          [from, told.from],
          told.term,
          -1,
        );
        return;
      }
    }
    if (REQUEST_VOTE.test(method)) {
      const term = readTerm(args);
      if (term === null) return;
      this.selfVoteTerm.set(from, term);
      const grant = this.lastGrant.get(from);
      const contact = this.lastLeaderContact.get(from);
      if (contact !== undefined && (grant === undefined || grant.at < contact)) {
        const quiet = now - contact;
        if (quiet < (this.shortestQuiet.get(from) ?? Infinity)) this.shortestQuiet.set(from, quiet);
      }
      const bound = Math.min(MIN_ELECTION_TIMEOUT_MS, this.shortestQuiet.get(from) ?? Infinity);
      const key = `${from}/${term}`;
      if (grant !== undefined && term > grant.term && now - grant.at < bound && !this.warnedTimer.has(key)) {
        this.warnedTimer.add(key);
        this.onWarning({
          kind: "Vote Resets Timer",
          message: `peer ${from} started an election for term ${term} ${now - grant.at} ms after granting peer ${grant.candidate} its vote in term ${grant.term} (Figure 2: granting a vote resets the election timer; its election timeout has never been shorter than ${bound} ms)`,
          peers: [from, grant.candidate],
          term,
        });
      }
      return;
    }
    const ae = readAppendEntries(method, args);
    if (ae === null) return;
    const term = ae.term;
    if (term > this.maxTerm) this.maxTerm = term;
    // Only a leader sends AppendEntries: the sender led `term`.
    if (!this.observeLeader(from, term, "AppendEntries")) return;
    const leaderKey = from * TERM_SPAN + term;
    let own = this.leaderLogs.get(leaderKey);
    if (own === undefined) {
      own = new Map();
      this.leaderLogs.set(leaderKey, own);
    }
    let prevTerm: number | undefined = undefined;
    if (ae.prevLogIndex > 0) {
      const seen: SeenEntry = { term: ae.prevLogTerm, command: undefined, prevTerm: undefined, peer: from };
      if (!this.checkLeaderAppendOnly(own, from, term, ae.prevLogIndex, seen)) return;
      prevTerm = ae.prevLogTerm;
    }
    for (let k = 0; k < ae.entries.length; k++) {
      const e = ae.entries[k] as { term: number; command: Value };
      const index = ae.prevLogIndex + 1 + k;
      const seen: SeenEntry = { term: e.term, command: e.command, prevTerm: index === 1 ? undefined : prevTerm, peer: from };
      if (!this.checkLeaderAppendOnly(own, from, term, index, seen)) return;
      if (!this.checkLogMatching(index, seen)) return;
      if (!this.checkLeaderCompleteness(from, term, index, e.command)) return;
      prevTerm = e.term;
    }
  }

  /**
   * A server's handler answered a request from `caller` (whether or not the reply then arrives). A
   * granted vote, and a candidate's own vote once it answers anything in that term, are votes Figure 2
   * requires to be on stable storage.
   */
  observeHandled(server: number, caller: number, method: string, args: Value, reply: Value, now = 0): void {
    if (this.violated) return;
    const requestTerm = readTerm(args);
    if (requestTerm !== null) this.learnTerm(server, caller, requestTerm, now, `a ${method.replace(/^.*\./, "")}`);
    this.figure2.handled(server, caller, method, args, reply);
    if (this.violated) return;
    const replyTerm = readTerm(reply);
    if (replyTerm !== null && this.selfVoteTerm.get(server) === replyTerm) {
      this.selfVoteTerm.delete(server);
      if (!this.recordVote(server, replyTerm, server)) return;
    }
    if (readAppendEntries(method, args) !== null && requestTerm !== null && replyTerm === requestTerm) {
      // An AppendEntries from the leader of the peer's own term: Figure 2 resets its election timer.
      this.lastLeaderContact.set(server, now);
    }
    if (!REQUEST_VOTE.test(method) || readField(reply, "voteGranted") !== true) return;
    const term = readTerm(args);
    if (term === null) return;
    this.lastGrant.set(server, { at: now, term, candidate: caller });
    this.recordVote(server, term, caller);
  }

  /** The restart probe's verdict on a vote just granted (see vote-probe.ts). */
  /**
   * `votesTwice`: a copy that has just voted for `candidate` also votes for `otherCandidate` (it ignores
   * votedFor): a violation in every part, not a persistence warning.
   */
  observeRestartedVote(voter: number, candidate: number, otherCandidate: number, term: number, votesTwice = false): void {
    if (this.violated) return;
    const detail = `peer ${voter} granted peer ${candidate} its vote in term ${term}, but restarted from what it had persisted it would also vote for peer ${otherCandidate} (Figure 2: currentTerm and votedFor are persisted before replying)`;
    if (!this.persistenceRequired && !votesTwice) {
      this.warnForgotten(voter, "vote", detail, [voter, candidate, otherCandidate], term);
      return;
    }
    this.fail("One Vote Per Term", detail, [voter, candidate, otherCandidate], term, -1);
  }

  private recordVote(voter: number, term: number, candidate: number): boolean {
    const key = voter * TERM_SPAN + term;
    const before = this.votes.get(key);
    if (before === undefined || before === candidate) {
      this.votes.set(key, candidate);
      return true;
    }
    this.fail(
      "One Vote Per Term",
      `peer ${voter} voted for both peer ${before} and peer ${candidate} in term ${term} (votedFor must survive a restart)`,
      [voter, before, candidate],
      term,
      -1,
    );
    return false;
  }

  /** A command applied by a peer. */
  observeApply(peer: number, index: number, command: Value): void {
    if (this.violated) return;
    const pending = this.figure2.applied(peer, index);
    const prior = this.applied.get(index);
    if (prior === undefined) {
      this.applied.set(index, { command, peer, termBound: this.maxTerm });
      return;
    }
    if (!valueEquals(prior.command, command)) {
      const raise = (): void =>
        this.fail(
          "State Machine Safety",
          `peers ${prior.peer} and ${peer} applied different commands at index ${index}: ${formatValue(prior.command)} != ${formatValue(command)}`,
          [prior.peer, peer],
          -1,
          index,
        );
      // Applied beyond what the peer verified so far: if its event ends without verifying it, the
      // Commit Rule names the cause; otherwise this is raised then.
      if (pending) {
        if (!this.deferred.has(peer)) this.deferred.set(peer, raise);
      } else raise();
    }
  }

  private observeLeader(peer: number, term: number, how: string): boolean {
    const other = this.leaderOf.get(term);
    if (other === undefined) {
      this.leaderOf.set(term, peer);
      this.figure2.newLeader(peer, term);
      return !this.violated;
    }
    if (other === peer) return true;
    this.fail("Election Safety", `peers ${other} and ${peer} are both leader in term ${term} (seen via ${how})`, [other, peer], term, -1);
    return false;
  }

  private checkLeaderAppendOnly(own: Map<number, SeenEntry>, leader: number, term: number, index: number, seen: SeenEntry): boolean {
    const before = own.get(index);
    if (before === undefined) {
      own.set(index, seen);
      return true;
    }
    const sameCommand = before.command === undefined || seen.command === undefined || valueEquals(before.command, seen.command);
    if (before.term === seen.term && sameCommand) {
      if (before.command === undefined && seen.command !== undefined) own.set(index, seen);
      return true;
    }
    this.fail(
      "Leader Append-Only",
      `leader ${leader} of term ${term} changed its entry at index ${index} from ${describe(before)} to ${describe(seen)}`,
      [leader],
      term,
      index,
    );
    return false;
  }

  private checkLogMatching(index: number, seen: SeenEntry): boolean {
    const key = index * TERM_SPAN + seen.term;
    const before = this.entries.get(key);
    if (before === undefined) {
      this.entries.set(key, seen);
      return true;
    }
    const sameCommand = valueEquals(before.command, seen.command);
    const samePrev = before.prevTerm === undefined || seen.prevTerm === undefined || before.prevTerm === seen.prevTerm;
    if (sameCommand && samePrev) {
      if (before.prevTerm === undefined && seen.prevTerm !== undefined) this.entries.set(key, seen);
      return true;
    }
    const what = sameCommand
      ? `entries before it differ (term ${before.prevTerm} vs ${seen.prevTerm} at index ${index - 1})`
      : `commands differ (${formatValue(before.command)} vs ${formatValue(seen.command)})`;
    this.fail(
      "Log Matching",
      `peers ${before.peer} and ${seen.peer} both hold an entry of term ${seen.term} at index ${index} but ${what}`,
      [before.peer, seen.peer],
      seen.term,
      index,
    );
    return false;
  }

  private checkLeaderCompleteness(leader: number, term: number, index: number, command: Value): boolean {
    const committed = this.applied.get(index);
    if (committed === undefined || term <= committed.termBound) return true;
    if (valueEquals(committed.command, command)) return true;
    this.fail(
      "Leader Completeness",
      `leader ${leader} of term ${term} has ${formatValue(command)} at index ${index}, but ${formatValue(committed.command)} was committed there (applied by peer ${committed.peer} by term ${committed.termBound})`,
      [leader, committed.peer],
      term,
      index,
    );
    return false;
  }

  /**
   * Used by the restart probes (durability-probe.ts): `peer` would forget `what` on a crash. Returns
   * true when that failed the run (persistence required), false when it was a counted warning.
   */
  failDurability(peer: number, what: Forgotten, detail: string, peers: readonly number[], term: number, index: number): boolean {
    if (this.persistenceRequired) {
      this.fail("Persist Before Reply", detail, peers, term, index);
      return true;
    }
    this.warnForgotten(peer, what, detail, peers, term);
    return this.violated;
  }

  /** A missing persist before 3C: a counted warning (a failure under --strict, through the warning path). */
  private warnForgotten(peer: number, what: Forgotten, detail: string, peers: readonly number[], term: number): void {
    if (this.violated) return;
    this.onWarning({ kind: "Persist Before Reply", message: `S${peer} would forget its ${what} on a crash; required from 3C: ${detail}`, peers, term });
  }

  private fail(invariant: InvariantName, detail: string, peers: readonly number[], term: number, index: number): void {
    if (this.violated) return;
    this.violated = true;
    this.onViolation({ invariant, message: `${invariant} violated: ${detail}`, peers, term, index });
  }
}

const REQUEST_VOTE = /requestvote/i;

/** A top-level field of an RPC's arguments or reply, in any letter case. */
function readField(v: Value, name: string): Value | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const o = v as { readonly [key: string]: Value };
  const direct = o[name];
  if (direct !== undefined) return direct;
  const want = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === want) return o[key];
  return undefined;
}

/** The `term` of an RPC's arguments or reply. */
function readTerm(v: Value): number | null {
  const t = readField(v, "term");
  return typeof t === "number" ? t : null;
}

function describe(e: SeenEntry): string {
  return e.command === undefined ? `term ${e.term}` : `term ${e.term} ${formatValue(e.command)}`;
}
