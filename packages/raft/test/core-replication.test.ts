// Log replication rules of Figure 2 (§5.3), fast backup of nextIndex, and stale, duplicated and
// reordered replies, on the pure core.
import { describe, expect, it } from "vitest";
import { RPC_APPEND_ENTRIES } from "../src/core/index.js";
import { ae, aeReply, aeTo, appliedIndices, boot, elect, entries, persisted } from "./helpers.js";

/** A follower (S1) with entries of the given terms. */
function follower(terms: number[], term = Math.max(0, ...terms)) {
  return boot({ me: 1, terms, term }).core;
}

describe("AppendEntries receiver (Figure 2)", () => {
  it("Figure 2, AppendEntries rule 1: reply false if term < currentTerm", () => {
    const core = follower([1, 3], 3);
    const o = core.step(ae({ term: 2, leaderId: 0, prevLogIndex: 1, prevLogTerm: 1, entries: entries([2, "x"]) }));
    expect(o.reply).toMatchObject({ term: 3, success: false });
    expect(core.lastLogIndex).toBe(2);
  });

  it("Figure 2, AppendEntries rule 2: reply false if the log has no entry at prevLogIndex (hint: xTerm -1, xLen)", () => {
    const core = follower([1, 1]);
    const o = core.step(ae({ term: 2, leaderId: 0, prevLogIndex: 5, prevLogTerm: 2, entries: entries([2, "x"]) }));
    expect(o.reply).toEqual({ term: 2, success: false, xTerm: -1, xIndex: -1, xLen: 3 });
    expect(core.lastLogIndex).toBe(2);
  });

  it("Figure 2, AppendEntries rule 2: reply false if the entry at prevLogIndex has another term (hint: xTerm and its first index)", () => {
    const core = follower([1, 2, 2, 2]);
    const o = core.step(ae({ term: 3, leaderId: 0, prevLogIndex: 4, prevLogTerm: 3 }));
    expect(o.reply).toEqual({ term: 3, success: false, xTerm: 2, xIndex: 2, xLen: 5 });
    expect(core.lastLogIndex).toBe(4);
  });

  it("Figure 2, AppendEntries rule 3: a conflicting entry and all that follow it are deleted", () => {
    const core = follower([1, 1, 2, 2]);
    const o = core.step(ae({ term: 3, leaderId: 0, prevLogIndex: 2, prevLogTerm: 1, entries: entries([3, "a"]) }));
    expect(o.reply).toMatchObject({ success: true });
    expect(core.lastLogIndex).toBe(3);
    expect(core.termAt(3)).toBe(3);
    expect(core.commandAt(3)).toBe("a");
    const st = persisted(o);
    expect(st.entries.map((e) => e.term)).toEqual([1, 1, 3]);
  });

  it("Figure 2, AppendEntries rule 3: a stale, shorter AppendEntries whose entries already match truncates nothing", () => {
    const core = follower([1, 1, 1, 1]);
    const o = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, "c2"]) }));
    expect(o.reply).toMatchObject({ success: true });
    expect(core.lastLogIndex).toBe(4);
    expect(core.commandAt(4)).toBe("c4");
    expect(o.persist).toBeNull();
  });

  it("Figure 2, AppendEntries rule 4: append any new entries not already in the log (a duplicate is harmless)", () => {
    const core = follower([1]);
    const req = ae({ term: 1, leaderId: 0, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, "x"], [1, "y"]) });
    const first = core.step(req);
    expect(first.reply).toMatchObject({ success: true, xLen: 4 });
    expect(core.lastLogIndex).toBe(3);
    expect(persisted(first).entries.map((e) => e.command)).toEqual(["c1", "x", "y"]);
    const dup = core.step(req);
    expect(dup.reply).toMatchObject({ success: true });
    expect(core.lastLogIndex).toBe(3);
    expect(dup.persist).toBeNull();
  });

  it("Figure 2, AppendEntries rule 5: if leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)", () => {
    const core = follower([1, 1, 1, 1, 1]);
    // The request covers only index 2: entries 3..5 might not match the leader's, so they stay uncommitted.
    const o = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, "c2"]), leaderCommit: 4 }));
    expect(core.commitIndex).toBe(2);
    expect(appliedIndices(o)).toEqual([1, 2]);
    const hb = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 4 }));
    expect(core.commitIndex).toBe(4);
    expect(appliedIndices(hb)).toEqual([3, 4]);
  });

  it("Figure 2, all servers: if commitIndex > lastApplied, apply log[lastApplied+1..] in order, each exactly once", () => {
    const core = follower([1, 1, 1, 1, 1]);
    const a = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 3 }));
    expect(a.apply).toEqual([1, 2, 3].map((i) => ({ commandValid: true, command: `c${i}`, commandIndex: i, snapshotValid: false })));
    const b = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 5 }));
    expect(appliedIndices(b)).toEqual([4, 5]);
    const c = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 5 }));
    expect(c.apply).toEqual([]);
    expect(core.lastApplied).toBe(5);
  });
});

describe("leader replication (Figure 2, leaders)", () => {
  it("Figure 2, leaders: start() appends to the leader's log and sends it to every peer at once; a follower answers isLeader false", () => {
    const f = boot().core;
    expect(f.step({ kind: "start", now: 5, command: "x" }).start).toEqual({ index: -1, term: 0, isLeader: false });
    const { core } = boot();
    const won = elect(core, 1_000);
    for (const p of [1, 2]) core.step({ kind: "reply", now: 1_005, request: aeTo(won, p), reply: aeReply(1, true) });
    const o = core.step({ kind: "start", now: 1_010, command: "x" });
    expect(o.start).toEqual({ index: 1, term: 1, isLeader: true });
    expect(persisted(o).entries).toEqual([{ term: 1, command: "x" }]);
    expect(o.send.map((r) => r.to)).toEqual([1, 2]);
    expect(aeTo(o, 2).args).toEqual({ term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: entries([1, "x"]), leaderCommit: 0 });
  });

  it("Figure 2, leaders: a successful reply sets matchIndex to what the request covered and nextIndex just after it", () => {
    const { core } = boot({ terms: [1, 1, 1], term: 1 });
    const won = elect(core, 1_000);
    core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(2, true) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 4, matchIndex: 3 });
  });

  it("Figure 2, leaders (fast backup): a follower whose log is too short makes nextIndex jump to its length (xLen)", () => {
    const { core } = boot({ terms: [1, 1, 1, 1], term: 1 });
    const won = elect(core, 1_000);
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(2, false, { xLen: 2 }) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 2, matchIndex: 0 });
    const resend = aeTo(o, 1).args;
    expect(resend).toMatchObject({ prevLogIndex: 1, prevLogTerm: 1 });
    expect(resend.entries.map((e) => e.command)).toEqual(["c2", "c3", "c4"]);
  });

  it("Figure 2, leaders (fast backup): if the leader has entries of xTerm, nextIndex goes just past its last one", () => {
    const { core } = boot({ terms: [1, 1, 2, 2, 4, 4], term: 4 });
    const won = elect(core, 1_000);
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(5, false, { xTerm: 2, xIndex: 3, xLen: 8 }) });
    expect(core.progressOf(1)?.nextIndex).toBe(5);
    expect(aeTo(o, 1).args).toMatchObject({ prevLogIndex: 4, prevLogTerm: 2 });
  });

  it("Figure 2, leaders (fast backup): if the leader has no entry of xTerm, nextIndex goes to xIndex", () => {
    const { core } = boot({ terms: [1, 1, 4, 4], term: 4 });
    const won = elect(core, 1_000);
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(5, false, { xTerm: 3, xIndex: 3, xLen: 5 }) });
    expect(core.progressOf(1)?.nextIndex).toBe(3);
    expect(aeTo(o, 1).args).toMatchObject({ prevLogIndex: 2, prevLogTerm: 1 });
  });

  it("Figure 2, leaders: a peer whose log is behind keeps receiving the next batch without waiting for a heartbeat", () => {
    const { core } = boot({ terms: [1, 1, 1, 1, 1], term: 1 });
    const won = elect(core, 1_000);
    const back = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(2, false, { xLen: 1 }) });
    const req = aeTo(back, 1);
    expect(req.args.entries).toHaveLength(5);
    const done = core.step({ kind: "reply", now: 1_010, request: req, reply: aeReply(2, true) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 6, matchIndex: 5 });
    expect(done.send).toEqual([]);
  });
});

describe("stale, duplicated and reordered replies are harmless", () => {
  it("stale reply: a reply to a request of an earlier term is ignored after re-election", () => {
    const { core } = boot({ terms: [1, 1], term: 1 });
    const won = elect(core, 1_000); // term 2
    const old = aeTo(won, 1);
    core.step({ kind: "reply", now: 1_001, request: aeTo(won, 2), reply: aeReply(3, false) }); // deposed: term 3
    expect(core.role).toBe("follower");
    elect(core, 2_000); // term 4
    expect(core.term).toBe(4);
    const o = core.step({ kind: "reply", now: 2_010, request: old, reply: aeReply(2, true) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 3, matchIndex: 0 });
    expect(core.commitIndex).toBe(0);
    expect(o.send).toEqual([]);
  });

  it("stale reply: a reply arriving after the leader stepped down changes nothing", () => {
    const { core } = boot({ terms: [1, 1], term: 1 });
    const won = elect(core, 1_000);
    core.step({ kind: "request", now: 1_001, method: "Raft.RequestVote", args: { term: 9, candidateId: 2, lastLogIndex: 9, lastLogTerm: 9 } });
    expect(core.role).toBe("follower");
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(2, true) });
    expect(o.send).toEqual([]);
    expect(o.persist).toBeNull();
    expect(core.term).toBe(9);
    expect(core.commitIndex).toBe(0);
  });

  it("reordered replies: an older success arriving after a newer one moves neither matchIndex nor nextIndex back", () => {
    const { core } = boot();
    const won = elect(core, 1_000);
    for (const p of [1, 2]) core.step({ kind: "reply", now: 1_002, request: aeTo(won, p), reply: aeReply(1, true) });
    const a = aeTo(core.step({ kind: "start", now: 1_003, command: "a" }), 1); // covers [1..1]
    core.step({ kind: "start", now: 1_004, command: "b" }); // peer 1 busy: waits
    const b = aeTo(core.step({ kind: "tick", now: 1_103 }), 1); // heartbeat covers [1..2]
    expect(b.args.entries).toHaveLength(2);
    core.step({ kind: "reply", now: 1_110, request: b, reply: aeReply(1, true) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 3, matchIndex: 2 });
    core.step({ kind: "reply", now: 1_120, request: a, reply: aeReply(1, true) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 3, matchIndex: 2 });
    // An old rejection (about prevLogIndex 0 ≤ matchIndex) arriving late does not back nextIndex up.
    core.step({ kind: "reply", now: 1_130, request: a, reply: aeReply(1, false, { xLen: 1 }) });
    expect(core.progressOf(1)).toEqual({ nextIndex: 3, matchIndex: 2 });
    expect(core.commitIndex).toBe(2);
  });

  it("duplicated replies: the same success twice changes nothing the second time", () => {
    const { core } = boot({ terms: [1, 1], term: 1 });
    const won = elect(core, 1_000);
    const req = aeTo(won, 1);
    core.step({ kind: "reply", now: 1_005, request: req, reply: aeReply(2, true) });
    const snapshot = core.progressOf(1);
    const again = core.step({ kind: "reply", now: 1_006, request: req, reply: aeReply(2, true) });
    expect(core.progressOf(1)).toEqual(snapshot);
    expect(again.send).toEqual([]);
    expect(again.persist).toBeNull();
  });

  it("lost replies (null) change nothing; the heartbeat retries", () => {
    const { core } = boot({ terms: [1], term: 1 });
    const won = elect(core, 1_000);
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: null });
    expect(o.send).toEqual([]);
    expect(core.progressOf(1)).toEqual({ nextIndex: 2, matchIndex: 0 });
    const hb = core.step({ kind: "tick", now: 1_101 });
    expect(hb.send.filter((r) => r.method === RPC_APPEND_ENTRIES).map((r) => r.to)).toEqual([1, 2]);
  });

  it("malformed requests and replies are dropped without touching the state", () => {
    const core = follower([1, 1]);
    const o = core.step({ kind: "request", now: 5, method: "Raft.AppendEntries", args: { term: "x" } });
    expect(o.reply).toBeNull();
    expect(core.step({ kind: "request", now: 6, method: "Raft.Nope", args: null }).reply).toBeNull();
    expect(core.lastLogIndex).toBe(2);
    const { core: l } = boot();
    const won = elect(l, 1_000);
    l.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: { term: 99 } });
    expect(l.role).toBe("leader");
  });

  it("Election Safety (§5.2): an AppendEntries from another leader in the leader's own term is an InvariantError, never silently accepted", () => {
    const { core } = boot();
    elect(core, 1_000);
    expect(() => core.step(ae({ term: 1, leaderId: 2, prevLogIndex: 0, prevLogTerm: 0 }, 1_010))).toThrow(/two leaders in term 1/);
  });
});
