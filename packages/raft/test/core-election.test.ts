// Leader election rules of Figure 2 and §5.2/§5.4.1, on the pure core.
import { describe, expect, it } from "vitest";
import { RPC_APPEND_ENTRIES, RPC_REQUEST_VOTE, type OutRequest } from "../src/core/index.js";
import { ae, aeReply, aeTo, boot, elect, ET_MIN, HB, persisted, rv } from "./helpers.js";

describe("leader election (Figure 2, §5.2, §5.4.1)", () => {
  it("Figure 2, followers: if the election timeout elapses without hearing from a leader, convert to candidate and start an election", () => {
    const { core, out } = boot();
    expect(out.wakeAt).toBe(ET_MIN);
    const early = core.step({ kind: "tick", now: ET_MIN - 1 });
    expect(core.role).toBe("follower");
    expect(early.send).toEqual([]);
    const o = core.step({ kind: "tick", now: ET_MIN });
    expect(core.role).toBe("candidate");
    expect(core.term).toBe(1);
    expect(core.votedFor).toBe(0);
    expect(o.send.map((r) => [r.method, r.to])).toEqual([
      [RPC_REQUEST_VOTE, 1],
      [RPC_REQUEST_VOTE, 2],
    ]);
    expect(o.send[0]?.args).toEqual({ term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 });
    // The new term and the self-vote are persisted in the same step, before the requests go out.
    expect(persisted(o)).toMatchObject({ currentTerm: 1, votedFor: 0 });
    expect(o.wakeAt).toBe(ET_MIN * 2);
  });

  it("Figure 2, candidates: votes from a majority make the candidate leader, which sends initial empty AppendEntries to each server", () => {
    const { core } = boot({ terms: [1, 1], term: 1, n: 5 });
    const o = core.step({ kind: "tick", now: ET_MIN });
    const [r1, r2, r3] = o.send as OutRequest[];
    // A refused vote and a duplicated grant do not count.
    core.step({ kind: "reply", now: 301, request: r1 as OutRequest, reply: { term: 2, voteGranted: true } });
    core.step({ kind: "reply", now: 302, request: r1 as OutRequest, reply: { term: 2, voteGranted: true } });
    core.step({ kind: "reply", now: 303, request: r2 as OutRequest, reply: { term: 2, voteGranted: false } });
    expect(core.role).toBe("candidate");
    const won = core.step({ kind: "reply", now: 304, request: r3 as OutRequest, reply: { term: 2, voteGranted: true } });
    expect(core.role).toBe("leader");
    expect(won.send.map((r) => [r.method, r.to])).toEqual([1, 2, 3, 4].map((p) => [RPC_APPEND_ENTRIES, p]));
    expect(aeTo(won, 4).args).toEqual({ term: 2, leaderId: 0, prevLogIndex: 2, prevLogTerm: 1, entries: [], leaderCommit: 0 });
  });

  it("Figure 2, candidates: if the election timeout elapses again (split vote), start a new election", () => {
    const { core } = boot();
    core.step({ kind: "tick", now: ET_MIN });
    expect(core.term).toBe(1);
    const again = core.step({ kind: "tick", now: ET_MIN * 2 });
    expect(core.role).toBe("candidate");
    expect(core.term).toBe(2);
    expect(again.send.filter((r) => r.method === RPC_REQUEST_VOTE)).toHaveLength(2);
  });

  it("Figure 2, candidates: AppendEntries from the new leader converts the candidate to follower", () => {
    const { core } = boot();
    core.step({ kind: "tick", now: ET_MIN });
    const o = core.step(ae({ term: 1, leaderId: 2, prevLogIndex: 0, prevLogTerm: 0 }, 310));
    expect(core.role).toBe("follower");
    expect(core.term).toBe(1);
    expect(core.leaderId).toBe(2);
    expect(o.reply).toMatchObject({ term: 1, success: true });
  });

  it("Figure 2, RequestVote rule 1: reply false if term < currentTerm", () => {
    const { core } = boot({ term: 3 });
    const o = core.step(rv({ term: 2, candidateId: 1, lastLogIndex: 9, lastLogTerm: 2 }));
    expect(o.reply).toEqual({ term: 3, voteGranted: false });
    expect(core.votedFor).toBeNull();
    expect(o.persist).toBeNull();
  });

  it("Figure 2, RequestVote rule 2: grant if votedFor is null or candidateId, at most one candidate per term", () => {
    const { core } = boot({ terms: [1, 2], term: 2 });
    const first = core.step(rv({ term: 3, candidateId: 1, lastLogIndex: 2, lastLogTerm: 2 }));
    expect(first.reply).toEqual({ term: 3, voteGranted: true });
    expect(core.votedFor).toBe(1);
    // The same candidate asking again (a retransmission) gets the vote again.
    expect(core.step(rv({ term: 3, candidateId: 1, lastLogIndex: 2, lastLogTerm: 2 })).reply).toEqual({ term: 3, voteGranted: true });
    // Another candidate in the same term does not.
    expect(core.step(rv({ term: 3, candidateId: 2, lastLogIndex: 2, lastLogTerm: 2 })).reply).toEqual({ term: 3, voteGranted: false });
    expect(core.votedFor).toBe(1);
  });

  it("§5.4.1 election restriction (RequestVote rule 2): refuse a candidate whose log is less up-to-date", () => {
    const { core } = boot({ terms: [1, 2], term: 2 });
    // Lower last term, though longer: refused; the newer term is still adopted.
    expect(core.step(rv({ term: 3, candidateId: 1, lastLogIndex: 5, lastLogTerm: 1 })).reply).toEqual({ term: 3, voteGranted: false });
    expect(core.term).toBe(3);
    expect(core.votedFor).toBeNull();
    // Same last term, shorter log: refused.
    expect(core.step(rv({ term: 4, candidateId: 1, lastLogIndex: 1, lastLogTerm: 2 })).reply).toEqual({ term: 4, voteGranted: false });
    // Higher last term, though shorter: granted.
    expect(core.step(rv({ term: 5, candidateId: 1, lastLogIndex: 1, lastLogTerm: 3 })).reply).toEqual({ term: 5, voteGranted: true });
  });

  it("Figure 2, followers: granting a vote resets the election timer; refusing one does not", () => {
    const { core } = boot({ terms: [1], term: 1 });
    const refused = core.step(rv({ term: 2, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 }, 250));
    expect(refused.reply).toMatchObject({ voteGranted: false });
    expect(refused.wakeAt).toBe(ET_MIN);
    const granted = core.step(rv({ term: 3, candidateId: 1, lastLogIndex: 1, lastLogTerm: 1 }, 260));
    expect(granted.reply).toMatchObject({ voteGranted: true });
    expect(granted.wakeAt).toBe(260 + ET_MIN);
    core.step({ kind: "tick", now: ET_MIN });
    expect(core.role).toBe("follower");
  });

  it("Figure 2, followers: AppendEntries from the current leader resets the election timer", () => {
    const { core } = boot();
    const o = core.step(ae({ term: 1, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0 }, 200));
    expect(o.wakeAt).toBe(200 + ET_MIN);
    // A stale leader's AppendEntries (rule 1) does not.
    const stale = core.step(ae({ term: 0, leaderId: 2, prevLogIndex: 0, prevLogTerm: 0 }, 250));
    expect(stale.reply).toMatchObject({ success: false });
    expect(stale.wakeAt).toBe(200 + ET_MIN);
  });

  it("Figure 2, all servers: a request or reply with term T > currentTerm sets currentTerm = T and converts to follower", () => {
    const { core } = boot();
    const won = elect(core, 1_000);
    expect(core.term).toBe(1);
    const o = core.step({ kind: "reply", now: 1_010, request: aeTo(won, 1), reply: aeReply(5, false) });
    expect(core.role).toBe("follower");
    expect(core.term).toBe(5);
    expect(core.votedFor).toBeNull();
    expect(persisted(o)).toMatchObject({ currentTerm: 5, votedFor: null });
    // And through a request: a newer candidate deposes a leader.
    const b = boot();
    elect(b.core, 1_000);
    b.core.step(rv({ term: 7, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0 }, 1_020));
    expect(b.core.role).toBe("follower");
    expect(b.core.term).toBe(7);
  });

  it("Figure 2, leaders: heartbeats go to each peer at most once per heartbeat interval (≤ 10/s at 100 ms)", () => {
    const { core } = boot();
    const won = elect(core, 1_000);
    let sends = 0;
    const perPeer = [0, 0, 0];
    for (let t = 1_002; t <= 2_001; t++) {
      const o = core.step({ kind: "tick", now: t });
      sends += o.send.length;
      for (const r of o.send) perPeer[r.to]!++;
    }
    expect(won.wakeAt).toBe(1_001 + HB);
    expect(perPeer).toEqual([0, 10, 10]);
    expect(sends).toBe(20);
  });
});
