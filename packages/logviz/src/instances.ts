// Telling apart the instances of one peer that log at the same time. In the Go lab, crash1() and
// cleanup() call Kill(), but a Raft whose goroutines don't check rf.killed() keeps running and logging,
// interleaved with the new instance's lines (after a restart, and in the following tests: the tester
// never stops old instances). Its explicit `Role@T<n>` markers give it away: one peer's terms go down.
//
// A killed Raft is cut off from the network, so it hears of no higher term: it stays at its term (a
// leader heartbeating, a follower) or climbs one term per election (a candidate campaigning). Each
// explicit line goes to the instance for which it is the natural next step:
//  1. the current instance (the one the tester runs now), when the line is its natural next step
//     (a follower at the same or a higher term, a candidate one term up, a leader at its candidate term);
//  2. else an older instance for which it is the natural step (a previous test's instances only for
//     leader and candidate lines: a follower line of a fresh test must not be mistaken for one);
//  3. else the current instance if the line is possible for it at all (its term did not go down);
//  4. else a new instance: the current one if the line is a follower's (a restarted Raft starts as a
//     follower), an old one still running if it is a leader's or candidate's.
// A restart line (`restored persistent state`) always starts a new current instance.
import { RoleId } from "./store.js";

/** What one line says of its own peer (infer.ts reads the markers). */
export interface Marks {
  /** The peer's own term per an unambiguous marker, or -1. */
  term: number;
  /** The role per a marker, or None. */
  role: RoleId;
  /** The line says the peer (re)started. */
  boot: boolean;
  /** The term (and role, if any) come from an explicit own marker: `Role@T<n>`, `T<n>` right after
   * the peer, or the user's --term-re. Such a row shows its own term, and counts for instances. */
  explicit: boolean;
}

export interface Instance {
  term: number;
  role: RoleId;
  /** The next term marker may go down (a new boot restores whatever was persisted). */
  fresh: boolean;
  /** Its number within the current test (1, 2, ... in order of first row), 0 before its first row. */
  num: number;
  /** It was running in an earlier test. */
  carried: boolean;
}

export interface PeerInstances {
  /** The instance the tester is running now (null before the peer's first line in a test). */
  cur: Instance | null;
  /** Other instances still logging, most recent first. */
  others: Instance[];
  /** Instances numbered so far in this test. */
  numbered: number;
}

/** Older instances remembered per peer (a bound: the oldest are forgotten). */
const MAX_OTHERS = 8;
/** Instance numbers are stored in a byte. */
const MAX_NUMBER = 255;

function newInstance(): Instance {
  return { term: -1, role: RoleId.Follower, fresh: true, num: 0, carried: false };
}

/** Can `v` print a line at term `t` with role `r` as its very next state? */
function naturalStep(v: Instance, t: number, r: RoleId, current: boolean): boolean {
  if (v.term < 0) return current;
  switch (r) {
    case RoleId.Candidate:
      return t === v.term + 1 || (t === v.term && v.role === RoleId.Candidate);
    case RoleId.Leader:
      return t === v.term && (v.role === RoleId.Candidate || v.role === RoleId.Leader);
    default:
      // Only the running instance hears of higher terms.
      return current ? t >= v.term : t === v.term && (r === RoleId.None || v.role !== RoleId.Leader);
  }
}

/** Is the line possible for `v` at all? (Terms never go down; a leader or follower never changes
 * role within one term except through candidacy.) */
function possible(v: Instance, t: number, r: RoleId): boolean {
  if (t > v.term) return true;
  if (t < v.term) return false;
  if (r === RoleId.None) return true;
  if (v.role === RoleId.Leader) return r === RoleId.Leader;
  if (v.role === RoleId.Follower) return r !== RoleId.Leader;
  return true;
}

export class InstanceTracker {
  newPeer(): PeerInstances {
    return { cur: null, others: [], numbered: 0 };
  }

  /** A test boundary: every instance still known becomes a previous test's, unnumbered. */
  carryOver(peers: Map<number, PeerInstances>): void {
    for (const [peer, p] of peers) {
      const all = p.cur ? [p.cur, ...p.others] : p.others;
      if (all.length === 0) {
        peers.delete(peer);
        continue;
      }
      for (const i of all) {
        i.carried = true;
        i.num = 0;
      }
      p.cur = null;
      p.others = all.slice(0, MAX_OTHERS);
      p.numbered = 0;
    }
  }

  /** The instance a line with markers `m` comes from (created if need be). */
  instanceOf(p: PeerInstances, m: Marks): Instance {
    if (m.boot) {
      if (p.cur) this.keep(p, p.cur);
      p.cur = newInstance();
      return p.cur;
    }
    if (!m.explicit || m.term < 0) {
      p.cur ??= newInstance();
      return p.cur;
    }
    const t = m.term;
    const r = m.role;
    const cur = p.cur;
    if (cur && naturalStep(cur, t, r, true)) return cur;
    const oldRole = r === RoleId.Leader || r === RoleId.Candidate;
    for (const o of p.others) if ((!o.carried || oldRole) && naturalStep(o, t, r, false)) return o;
    if (cur === null) {
      p.cur = newInstance();
      return p.cur;
    }
    if (possible(cur, t, r)) return cur;
    const n = newInstance();
    if (oldRole) {
      this.keep(p, n);
      return n;
    }
    this.keep(p, cur);
    p.cur = n;
    return n;
  }

  /** The instance's number in this test (numbered on its first row). */
  numberOf(p: PeerInstances, i: Instance): number {
    if (i.num === 0) i.num = p.numbered = Math.min(MAX_NUMBER, p.numbered + 1);
    return i.num;
  }

  private keep(p: PeerInstances, i: Instance): void {
    p.others.unshift(i);
    if (p.others.length > MAX_OTHERS) p.others.length = MAX_OTHERS;
  }
}
