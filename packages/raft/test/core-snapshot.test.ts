// Log compaction (§7, Figure 13): snapshot() trimming, InstallSnapshot, old snapshots, restart.
import { describe, expect, it } from "vitest";
import { RPC_APPEND_ENTRIES, RPC_INSTALL_SNAPSHOT, RaftCore } from "../src/core/index.js";
import { ae, aeReply, aeTo, appliedIndices, boot, config, elect, is, persisted, zeroRng } from "./helpers.js";

const DATA = Uint8Array.from([9, 9, 9]);

/** A follower (S1) that has applied `n` entries of term 1. */
function appliedFollower(n: number) {
  const { core } = boot({ me: 1, terms: Array.from({ length: n }, () => 1), term: 1 });
  core.step(ae({ term: 1, leaderId: 0, prevLogIndex: n, prevLogTerm: 1, leaderCommit: n }));
  expect(core.lastApplied).toBe(n);
  return core;
}

describe("log compaction (§7)", () => {
  it("§7 snapshot(): the service's snapshot trims the log through its index and is persisted with the state", () => {
    const core = appliedFollower(10);
    const o = core.step({ kind: "snapshot", now: 50, index: 5, data: DATA });
    expect(core.snapshotIndex).toBe(5);
    expect(core.termAt(4)).toBeUndefined();
    expect(core.termAt(5)).toBe(1);
    expect(core.commandAt(6)).toBe("c6");
    expect(core.lastLogIndex).toBe(10);
    expect(o.persist?.snapshot).toBe(DATA);
    expect(persisted(o)).toMatchObject({ snapshotIndex: 5, snapshotTerm: 1 });
    expect(persisted(o).entries).toHaveLength(5);
  });

  it("§7 snapshot(): a snapshot at or below the current snapshot index (older than the log) is ignored", () => {
    const core = appliedFollower(10);
    core.step({ kind: "snapshot", now: 50, index: 5, data: DATA });
    const o = core.step({ kind: "snapshot", now: 51, index: 3, data: Uint8Array.from([1]) });
    expect(o.persist).toBeNull();
    expect(core.snapshotIndex).toBe(5);
    // And one beyond what was applied is refused.
    const { core: f } = boot({ me: 1, terms: [1, 1], term: 1 });
    expect(f.step({ kind: "snapshot", now: 5, index: 2, data: DATA }).persist).toBeNull();
    expect(f.snapshotIndex).toBe(0);
  });

  it("Figure 13, InstallSnapshot rule 1: reply immediately if term < currentTerm", () => {
    const { core } = boot({ me: 1, term: 5 });
    const o = core.step(is({ term: 4, leaderId: 0, lastIncludedIndex: 10, lastIncludedTerm: 4, data: DATA }));
    expect(o.reply).toEqual({ term: 5 });
    expect(core.snapshotIndex).toBe(0);
    expect(o.apply).toEqual([]);
  });

  it("Figure 13, InstallSnapshot rules 7-8: a lagging follower discards its log, installs the snapshot and hands it to the service", () => {
    const { core } = boot({ me: 1, terms: [1, 1], term: 1 });
    const o = core.step(is({ term: 2, leaderId: 0, lastIncludedIndex: 10, lastIncludedTerm: 2, data: DATA }));
    expect(o.reply).toEqual({ term: 2 });
    expect(core.snapshotIndex).toBe(10);
    expect(core.lastLogIndex).toBe(10);
    expect(core.commitIndex).toBe(10);
    expect(core.lastApplied).toBe(10);
    expect(o.apply).toEqual([{ commandValid: false, snapshotValid: true, snapshot: DATA, snapshotTerm: 2, snapshotIndex: 10 }]);
    expect(o.persist?.snapshot).toBe(DATA);
    expect(persisted(o)).toMatchObject({ currentTerm: 2, snapshotIndex: 10, snapshotTerm: 2, entries: [] });
  });

  it("Figure 13, InstallSnapshot rule 6: entries following a matching last included entry are retained", () => {
    const { core } = boot({ me: 1, terms: [1, 1, 1, 1, 1, 1], term: 1 });
    const o = core.step(is({ term: 1, leaderId: 0, lastIncludedIndex: 3, lastIncludedTerm: 1, data: DATA }));
    expect(core.snapshotIndex).toBe(3);
    expect(core.lastLogIndex).toBe(6);
    expect(core.commandAt(4)).toBe("c4");
    expect(appliedIndices(o)).toEqual([-3]);
  });

  it("§7: a snapshot older than what the follower has committed is ignored (no rollback of the state machine)", () => {
    const core = appliedFollower(5);
    const o = core.step(is({ term: 1, leaderId: 0, lastIncludedIndex: 3, lastIncludedTerm: 1, data: DATA }));
    expect(o.reply).toEqual({ term: 1 });
    expect(o.apply).toEqual([]);
    expect(core.snapshotIndex).toBe(0);
    expect(core.lastLogIndex).toBe(5);
    expect(core.lastApplied).toBe(5);
  });

  it("§7: a leader sends InstallSnapshot to a peer whose nextIndex was compacted away; the reply advances matchIndex and replication resumes", () => {
    const { core } = boot({ snapshot: { index: 10, term: 1, data: DATA }, terms: [1, 1], term: 1 });
    const won = elect(core, 1_000); // term 2
    const back = core.step({ kind: "reply", now: 1_005, request: aeTo(won, 1), reply: aeReply(2, false, { xLen: 3 }) });
    const req = back.send.find((r) => r.to === 1);
    expect(req?.method).toBe(RPC_INSTALL_SNAPSHOT);
    if (req?.method !== RPC_INSTALL_SNAPSHOT) throw new Error("unreachable");
    expect(req.args).toEqual({ term: 2, leaderId: 0, lastIncludedIndex: 10, lastIncludedTerm: 1, data: DATA });
    const after = core.step({ kind: "reply", now: 1_010, request: req, reply: { term: 2 } });
    expect(core.progressOf(1)).toEqual({ nextIndex: 11, matchIndex: 10 });
    const next = after.send.find((r) => r.to === 1);
    expect(next?.method).toBe(RPC_APPEND_ENTRIES);
    expect(next?.args).toMatchObject({ prevLogIndex: 10, prevLogTerm: 1 });
    // A stale duplicate of the InstallSnapshot reply changes nothing.
    core.step({ kind: "reply", now: 1_011, request: req, reply: { term: 2 } });
    expect(core.progressOf(1)).toEqual({ nextIndex: 11, matchIndex: 10 });
  });

  it("§7 restart: state and snapshot are restored; applying resumes right after the snapshot (no re-delivery)", () => {
    const core = appliedFollower(12);
    const snap = core.step({ kind: "snapshot", now: 50, index: 10, data: DATA });
    const saved = snap.persist!;
    const { core: again, output } = RaftCore.boot(config({ me: 1 }), zeroRng, { raftState: saved.state, snapshot: saved.snapshot! }, 100);
    expect(output.apply).toEqual([]);
    expect(again.snapshotIndex).toBe(10);
    expect(again.commitIndex).toBe(10);
    expect(again.lastApplied).toBe(10);
    expect(again.lastLogIndex).toBe(12);
    expect(output.persist?.snapshot).toEqual(DATA); // later persists keep the snapshot
    const o = again.step(ae({ term: 1, leaderId: 0, prevLogIndex: 12, prevLogTerm: 1, leaderCommit: 12 }, 200));
    expect(appliedIndices(o)).toEqual([11, 12]);
  });

  it("AppendEntries whose prefix is inside the follower's snapshot is accepted for the part after it", () => {
    const core = appliedFollower(6);
    core.step({ kind: "snapshot", now: 50, index: 5, data: DATA });
    const o = core.step(ae({ term: 1, leaderId: 0, prevLogIndex: 3, prevLogTerm: 1, entries: [4, 5, 6, 7].map((i) => ({ term: 1, command: `c${i}` })) }));
    expect(o.reply).toMatchObject({ success: true });
    expect(core.lastLogIndex).toBe(7);
  });
});
