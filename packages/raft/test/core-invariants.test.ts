// The invariants NodeState states and checks at the end of every step: each check fires on a state
// that breaks it (these states are built by hand; the core never reaches them).
import { describe, expect, it } from "vitest";
import { InvariantError } from "../src/core/assert.js";
import { NodeState } from "../src/core/state.js";
import { config, zeroRng } from "./helpers.js";

/** A 3-peer leader in term 2 with a log of 4 entries, all peers caught up to nothing yet. */
function leader(): NodeState {
  const s = new NodeState(config(), zeroRng);
  s.currentTerm = 2;
  s.votedFor = 0;
  for (let i = 0; i < 4; i++) s.log.append(2, `c${i + 1}`);
  s.role = "leader";
  s.leaderId = 0;
  s.now = 1000;
  for (const pr of s.progress) {
    pr.nextIndex = 5;
    pr.matchIndex = 0;
    pr.heartbeatDue = 1000;
  }
  return s;
}

function follower(): NodeState {
  const s = new NodeState(config(), zeroRng);
  s.currentTerm = 1;
  s.now = 1000;
  s.electionDeadline = 1300;
  return s;
}

const violated = (s: NodeState, what: RegExp): void => {
  expect(() => s.checkInvariants()).toThrow(InvariantError);
  expect(() => s.checkInvariants()).toThrow(what);
};

describe("core invariants (state.ts), checked at the end of each step", () => {
  it("hold for a well-formed leader and follower", () => {
    expect(() => leader().checkInvariants()).not.toThrow();
    expect(() => follower().checkInvariants()).not.toThrow();
  });

  it("lastApplied <= commitIndex <= lastIndex, and the snapshot is applied", () => {
    const a = leader();
    a.commitIndex = 5;
    violated(a, /commitIndex 5 > last log index 4/);
    const b = leader();
    b.commitIndex = 2;
    b.lastApplied = 3;
    violated(b, /lastApplied 3 > commitIndex 2/);
    const c = follower();
    c.log.installSnapshot(3, 1);
    c.commitIndex = 3;
    c.lastApplied = 2;
    violated(c, /snapshot 3 beyond lastApplied 2/);
  });

  it("a leader's progress: matchIndex < nextIndex <= lastIndex + 1", () => {
    const a = leader();
    (a.progress[1] as { nextIndex: number }).nextIndex = 6;
    violated(a, /S1: need matchIndex 0 < nextIndex 6 <= last log index \+ 1 = 5/);
    const b = leader();
    Object.assign(b.progress[2] as object, { matchIndex: 3, nextIndex: 3 });
    violated(b, /S2: need matchIndex 3 < nextIndex 3/);
  });

  it("the role's timers: a leader's heartbeats within one interval, a follower's election deadline within the max timeout", () => {
    const a = leader();
    (a.progress[1] as { heartbeatDue: number }).heartbeatDue = 1000 + 101;
    violated(a, /S1: heartbeat due at 1101, beyond now \+ heartbeat 1100/);
    const b = follower();
    b.electionDeadline = 1000 + 601;
    violated(b, /election deadline 1601 beyond now \+ max election timeout 1600/);
  });

  it("a leader and a candidate have voted for themselves; the leader knows itself", () => {
    const a = leader();
    a.votedFor = 1;
    violated(a, /a leader in T2 that voted for 1/);
    const b = leader();
    b.leaderId = 1;
    violated(b, /does not know itself/);
    const c = follower();
    c.role = "candidate";
    c.votedFor = 0;
    violated(c, /a candidate in T1 that did not vote for itself/);
  });

  it("no entry from a future term", () => {
    const a = follower();
    a.log.append(2, "x");
    violated(a, /last log term 2 > currentTerm 1/);
  });
});
