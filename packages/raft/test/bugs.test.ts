// The deliberate bugs (for validating testers only): each knob changes exactly the behaviour it names.
import { describe, expect, it } from "vitest";
import { RPC_APPEND_ENTRIES } from "../src/core/index.js";
import { makeRaft } from "../src/index.js";
import { aeReply, aeTo, appliedIndices, ae, boot, elect, ET_MIN, persisted, rv } from "./helpers.js";

describe("deliberate bugs (tester fixtures)", () => {
  it("vote-without-up-to-date-check: grants a vote to a candidate with a less up-to-date log", () => {
    const args = { term: 3, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 };
    expect(boot({ terms: [1, 2], term: 2 }).core.step(rv(args)).reply).toMatchObject({ voteGranted: false });
    expect(boot({ terms: [1, 2], term: 2, bugs: ["vote-without-up-to-date-check"] }).core.step(rv(args)).reply).toMatchObject({ voteGranted: true });
  });

  it("forget-voted-for: the vote is granted but not persisted", () => {
    const { core } = boot({ bugs: ["forget-voted-for"] });
    const o = core.step(rv({ term: 2, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 }));
    expect(o.reply).toMatchObject({ voteGranted: true });
    expect(persisted(o)).toMatchObject({ currentTerm: 2, votedFor: null });
  });

  it("no-timer-reset-on-vote: granting a vote leaves the election deadline where it was", () => {
    const { core } = boot({ bugs: ["no-timer-reset-on-vote"] });
    const o = core.step(rv({ term: 2, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 }, 250));
    expect(o.reply).toMatchObject({ voteGranted: true });
    expect(o.wakeAt).toBe(ET_MIN);
  });

  it("apply-out-of-order: a batch of applies is delivered with its first two swapped", () => {
    const { core } = boot({ me: 1, terms: [1, 1, 1], term: 1, bugs: ["apply-out-of-order"] });
    const o = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 3, prevLogTerm: 1, leaderCommit: 3 }));
    expect(appliedIndices(o)).toEqual([2, 1, 3]);
  });

  it("serial-append-entries: the leader sends to one peer at a time, waiting for each reply", () => {
    const { core } = boot({ n: 5, bugs: ["serial-append-entries"] });
    const won = elect(core, 1_000, 5);
    const first = won.send.filter((r) => r.method === RPC_APPEND_ENTRIES);
    expect(first).toHaveLength(1);
    expect(core.step({ kind: "tick", now: 1_200 }).send).toEqual([]);
    const next = core.step({ kind: "reply", now: 1_300, request: first[0]!, reply: aeReply(1, true) });
    expect(next.send).toHaveLength(1);
    expect(next.send[0]?.to).not.toBe(first[0]?.to);
  });

  it("ignore-reply-term: a reply with a higher term does not make the leader step down", () => {
    const { core } = boot({ bugs: ["ignore-reply-term"] });
    const won = elect(core, 1_000);
    core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(9, false) });
    expect(core.role).toBe("leader");
    expect(core.term).toBe(1);
  });

  it("makeRaft rejects unknown bugs and bad timing options with a clear message", () => {
    expect(() => makeRaft({ bugs: ["nope" as never] })).toThrow(/unknown RaftBug "nope"/);
    expect(() => makeRaft({ heartbeatMs: 0 })).toThrow(/heartbeatMs must be a positive integer/);
    expect(() => makeRaft({ electionTimeoutMinMs: 500, electionTimeoutMaxMs: 400 })).toThrow(/must exceed/);
  });
});
