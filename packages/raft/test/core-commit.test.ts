// Commitment rules: Figure 2 (leaders) and §5.4.2 / Figure 8.
import { describe, expect, it } from "vitest";
import { aeReply, aeTo, appliedIndices, boot, elect } from "./helpers.js";

describe("commitment (Figure 2, leaders; §5.4.2)", () => {
  it("Figure 2, leaders: an entry of the current term is committed once a majority holds it (matchIndex), then applied", () => {
    const { core } = boot();
    const won = elect(core, 1_000);
    for (const p of [1, 2]) core.step({ kind: "reply", now: 1_002, request: aeTo(won, p), reply: aeReply(1, true) });
    const s = core.step({ kind: "start", now: 1_003, command: "a" });
    expect(core.commitIndex).toBe(0);
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(s, 1), reply: aeReply(1, true) });
    expect(core.commitIndex).toBe(1);
    expect(o.apply).toEqual([{ commandValid: true, command: "a", commandIndex: 1, snapshotValid: false }]);
    // The commit reaches followers in the next AppendEntries.
    expect(aeTo(core.step({ kind: "tick", now: 1_200 }), 2).args.leaderCommit).toBe(1);
  });

  it("§5.4.2 / Figure 8: a leader never commits an entry from an earlier term by counting replicas", () => {
    const { core } = boot({ terms: [1, 1], term: 1 });
    const won = elect(core, 1_000); // term 2
    core.step({ kind: "reply", now: 1_002, request: aeTo(won, 1), reply: aeReply(2, true) });
    expect(core.progressOf(1)?.matchIndex).toBe(2);
    expect(core.commitIndex).toBe(0);
    // An entry of the current term, once on a majority, commits the earlier ones indirectly.
    const s = core.step({ kind: "start", now: 1_003, command: "x" });
    const o = core.step({ kind: "reply", now: 1_005, request: aeTo(s, 1), reply: aeReply(2, true) });
    expect(core.commitIndex).toBe(3);
    expect(appliedIndices(o)).toEqual([1, 2, 3]);
  });

  it("Figure 2, leaders: with 5 peers, one replica besides the leader is not a majority", () => {
    const { core } = boot({ n: 5 });
    const won = elect(core, 1_000, 5);
    for (const p of [1, 2, 3, 4]) core.step({ kind: "reply", now: 1_002, request: aeTo(won, p), reply: aeReply(1, true) });
    const s = core.step({ kind: "start", now: 1_003, command: "a" });
    core.step({ kind: "reply", now: 1_004, request: aeTo(s, 1), reply: aeReply(1, true) });
    expect(core.commitIndex).toBe(0);
    core.step({ kind: "reply", now: 1_005, request: aeTo(s, 3), reply: aeReply(1, true) });
    expect(core.commitIndex).toBe(1);
  });

  it("a one-peer cluster elects itself and commits at once", () => {
    const { core } = boot({ n: 1 });
    core.step({ kind: "tick", now: 400 });
    expect(core.isLeader).toBe(true);
    const o = core.step({ kind: "start", now: 401, command: "solo" });
    expect(core.commitIndex).toBe(1);
    expect(appliedIndices(o)).toEqual([1]);
  });
});
