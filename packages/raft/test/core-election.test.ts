// Leader election on the pure core. The rules of Figure 2 and §5.2/§5.4.1 are scripts in
// testdata/election.txt (run by transcripts.test.ts); what stays here is better as code: a rate over
// a thousand ticks, and vote counting in a 5-peer cluster.
import { describe, expect, it } from "vitest";
import { RPC_APPEND_ENTRIES, type OutRequest } from "../src/core/index.js";
import { aeTo, boot, elect, ET_MIN, HB } from "./helpers.js";

describe("leader election (Figure 2, §5.2, §5.4.1)", () => {
  it("Figure 2, candidates: votes from a majority make the candidate leader; a refusal and a duplicated grant do not count", () => {
    const { core } = boot({ terms: [1, 1], term: 1, n: 5 });
    const o = core.step({ kind: "tick", now: ET_MIN });
    const [r1, r2, r3] = o.send as OutRequest[];
    core.step({ kind: "reply", now: 301, request: r1 as OutRequest, reply: { term: 2, voteGranted: true } });
    core.step({ kind: "reply", now: 302, request: r1 as OutRequest, reply: { term: 2, voteGranted: true } });
    core.step({ kind: "reply", now: 303, request: r2 as OutRequest, reply: { term: 2, voteGranted: false } });
    expect(core.role).toBe("candidate");
    const won = core.step({ kind: "reply", now: 304, request: r3 as OutRequest, reply: { term: 2, voteGranted: true } });
    expect(core.role).toBe("leader");
    expect(won.send.map((r) => [r.method, r.to])).toEqual([1, 2, 3, 4].map((p) => [RPC_APPEND_ENTRIES, p]));
    expect(aeTo(won, 4).args).toEqual({ term: 2, leaderId: 0, prevLogIndex: 2, prevLogTerm: 1, entries: [], leaderCommit: 0 });
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
