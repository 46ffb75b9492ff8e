// Followers, candidates and leaders (Figure 2, "Rules for Servers"): elections started by the peer's own
// timer, and a candidate or leader meeting a higher term. The peer's role is volatile state, so these
// cases run without restarts between steps (a restart makes any peer a follower again).
import { follower, volatile, type ConformCase } from "./case.js";
import { AE, aeReply, check, entry, IS, RV, rvReply, show, snapshotBytes, type Script } from "./script.js";

/** Lets `ms` of virtual time pass in heartbeats of the current leader (S1), every `every` ms. */
async function heartbeats(s: Script, term: number, ms: number, every = 50): Promise<void> {
  const from = s.p.calls.length;
  for (let t = 0; t < ms; t += every) {
    noElection(s, from, `heartbeats of the leader of term ${term} arrived every ${every} ms`);
    await s.appendEntries({ term, prevIndex: 0, prevTerm: 0 }, { success: true }, `a heartbeat of the leader of term ${term}`);
    await s.p.advance(every - 5);
  }
}

function noElection(s: Script, from: number, why: string): void {
  const rvs = s.p.sent(RV, from);
  check(rvs.length === 0, `${why}, but the peer started an election (sent ${show(rvs[0]?.args)})`);
}

export const LEADER_CASES: readonly ConformCase[] = [
  volatile(
    "Candidates: on conversion, increment currentTerm, vote for self, send RequestVote RPCs to all other servers",
    async (s) => {
      const e = await s.awaitElection();
      check(e.term === 1, `the first election of a fresh peer must be in term 1 (currentTerm 0 + 1), got ${e.term}`);
      for (const to of [1, 2]) {
        const rv = s.p.sent(RV, e.from, to)[0];
        check(rv !== undefined, `the candidate of term ${e.term} sent no RequestVote to S${to}`);
        const a = rv.args as { [k: string]: unknown };
        check(
          a.candidateId === 0 && a.lastLogIndex === 0 && a.lastLogTerm === 0,
          `RequestVote to S${to}: expected candidateId 0, lastLogIndex 0, lastLogTerm 0 (empty log), got ${show(rv.args)}`,
        );
      }
      s.expectState(1, false, "a candidate");
    },
    (s) => s.requestVote({ term: 1, candidate: 2, lastIndex: 9, lastTerm: 1 }, { granted: false, term: 1 }, "the candidate of term 1 voted for itself"),
    (s) => s.expectPersisted({ term: 1 }, "after starting an election in term 1"),
  ),
  volatile("Candidates: if votes received from a majority of servers: become leader", async (s) => {
    await s.becomeLeader();
  }),
  volatile("Leaders: upon election, send initial empty AppendEntries RPCs (heartbeat) to each server", async (s) => {
    const l = await s.becomeLeader();
    await s.settle(50);
    for (const to of [1, 2]) {
      const ae = s.p.calls.find((c) => c.method === AE && c.to === to && (c.args as { term?: unknown }).term === l.term);
      check(ae !== undefined, `the new leader of term ${l.term} sent no AppendEntries to S${to} within 50 ms of winning`);
      const a = ae.args as { [k: string]: unknown };
      check(a.leaderId === 0 && Array.isArray(a.entries), `AppendEntries to S${to}: expected leaderId 0 and an entries array, got ${show(ae.args)}`);
    }
  }),
  volatile("Candidates: votes count only from this election: a granted reply of an earlier term does not make a leader", async (s) => {
    const first = await s.awaitElection();
    const old = s.p.sent(RV, first.from, 1)[0];
    check(old !== undefined, "the candidate sent no RequestVote to S1");
    const second = await s.awaitElection();
    check(second.term > first.term, `a candidate whose election timed out must start a new election in a higher term (got ${second.term} after ${first.term})`);
    await old.answer(rvReply(first.term, true));
    await s.settle();
    s.expectState(second.term, false, `S1's vote was for term ${first.term}, so the candidate of term ${second.term} has only its own`);
  }),
  volatile("Candidates: if AppendEntries RPC received from new leader (same term): convert to follower", async (s) => {
    const e = await s.awaitElection();
    await s.appendEntries({ term: e.term, leader: 1, prevIndex: 0, prevTerm: 0 }, { success: true, term: e.term }, `S1 won the election of term ${e.term}`);
    s.expectState(e.term, false, `after an AppendEntries from the leader of term ${e.term}`);
    const from = s.p.calls.length;
    await heartbeats(s, e.term, 1_000);
    noElection(s, from, `a follower hearing from the leader of term ${e.term}`);
  }),
  volatile("All servers: a RequestVote with term T > currentTerm makes a candidate convert to follower (and vote)", async (s) => {
    const e = await s.awaitElection();
    await s.requestVote(
      { term: e.term + 1, candidate: 2, lastIndex: 10, lastTerm: e.term },
      { granted: true, term: e.term + 1 },
      `a newer term with a log at least as up-to-date`,
    );
    s.expectState(e.term + 1, false, `after a RequestVote of term ${e.term + 1}`);
    const old = s.p.sent(RV, e.from, 1)[0];
    check(old !== undefined, "the candidate sent no RequestVote to S1");
    await old.answer(rvReply(e.term, true));
    await s.settle();
    s.expectState(e.term + 1, false, `a vote of term ${e.term} arriving after the peer moved to term ${e.term + 1}`);
    await s.expectPersisted({ term: e.term + 1 }, `after a RequestVote of term ${e.term + 1}`);
  }),
  volatile("All servers: a RequestVote with term T > currentTerm makes a leader convert to follower (and vote)", async (s) => {
    const l = await s.becomeLeader();
    await s.requestVote(
      { term: l.term + 1, candidate: 2, lastIndex: 10, lastTerm: l.term },
      { granted: true, term: l.term + 1 },
      `a newer term with a log at least as up-to-date`,
    );
    s.expectState(l.term + 1, false, `a leader of term ${l.term} after a RequestVote of term ${l.term + 1}`);
    await s.expectPersisted({ term: l.term + 1 }, `after a RequestVote of term ${l.term + 1}`);
  }),
  volatile("RequestVote 2: a leader already voted for itself: a same-term RequestVote is refused and it stays leader", async (s) => {
    const l = await s.becomeLeader();
    await s.requestVote(
      { term: l.term, candidate: 2, lastIndex: 10, lastTerm: l.term },
      { granted: false, term: l.term },
      `the leader voted for itself in term ${l.term}`,
    );
    s.expectState(l.term, true, "a same-term RequestVote must not depose the leader");
  }),
  volatile("AppendEntries 1 to a leader: a stale leader's AppendEntries is refused and the leader stays leader", async (s) => {
    const l = await s.becomeLeader();
    await s.appendEntries(
      { term: l.term - 1, leader: 2, prevIndex: 0, prevTerm: 0, entries: [entry(1, l.term - 1)] },
      { success: false, term: l.term },
      `term ${l.term - 1} is older than the leader's ${l.term}`,
    );
    s.expectState(l.term, true, "a stale AppendEntries must not depose the leader");
  }),
  volatile("All servers (leaders): if a reply contains term T > currentTerm: set currentTerm = T, convert to follower", async (s) => {
    const l = await s.becomeLeader();
    await s.settle(50);
    const ae = s.p.sent(AE, 0, 1).find((c) => !c.answered);
    check(ae !== undefined, `the leader of term ${l.term} sent no AppendEntries to S1`);
    await ae.answer({ term: l.term + 3, success: false, xTerm: -1, xIndex: -1, xLen: 1, conflictIndex: 0, conflictTerm: -1 });
    await s.settle();
    s.expectState(l.term + 3, false, `after an AppendEntries reply of term ${l.term + 3}`);
    await s.expectPersisted({ term: l.term + 3 }, `after adopting term ${l.term + 3} from a reply`);
  }),
  volatile("Leaders: a command from a client is appended, replicated, and applied once a majority has it (log[N].term == currentTerm)", async (s) => {
    const l = await s.becomeLeader();
    await s.answerAppends(l.term);
    const e = entry(1, l.term);
    const r = s.p.raft.start(e.command);
    check(
      r.isLeader && r.index === 1 && r.term === l.term,
      `start() on the leader of term ${l.term} with an empty log must return (index 1, term ${l.term}, leader), got ${show(r)}`,
    );
    await s.settle(150);
    const carrying = s.p.sent(AE, 0, 1).find((c) => !c.answered && ((c.args as { entries?: unknown[] }).entries?.length ?? 0) > 0);
    check(carrying !== undefined, `the leader did not send the new entry to S1 within 150 ms`);
    const early = s.p.applied.filter((m) => m.commandValid).length;
    check(early === 0, `nothing is committed before a majority holds the entry, but the leader applied ${early} entries`);
    await s.answerAppends(l.term);
    await s.settle(150);
    s.expectApplied(new Map([[1, e]]), 1, "S1 and the leader hold entry 1 of the current term: a majority of 3");
  }),
  volatile(
    "Leaders: commit only entries of the current term by counting replicas; earlier ones commit with them (Figure 8)",
    (s) =>
      s.appendEntries(
        { term: 1, leader: 1, prevIndex: 0, prevTerm: 0, entries: [entry(1, 1)] },
        { success: true },
        "entry 1 of term 1 from the leader of term 1, not committed",
      ),
    async (s) => {
      const l = await s.becomeLeader();
      check(l.term >= 2, `the peer's election after term 1 must be in a later term, got ${l.term}`);
      await s.answerAppends(l.term);
      await s.settle(150);
      await s.answerAppends(l.term);
      await s.settle(10);
      const early = s.p.applied.filter((m) => m.commandValid).length;
      check(
        early === 0,
        `S1 acknowledged entry 1, but it is of term 1 and the leader's term is ${l.term}: counting replicas commits only entries of the current term; the leader applied ${early} entries`,
      );
      const e2 = entry(2, l.term);
      const r = s.p.raft.start(e2.command);
      check(r.isLeader && r.index === 2, `start() on the leader must return index 2 (after entry 1), got ${show(r)}`);
      await s.settle(150);
      await s.answerAppends(l.term);
      await s.settle(150);
      s.expectApplied(
        new Map([
          [1, entry(1, 1)],
          [2, e2],
        ]),
        2,
        `S1 holds entry 2 of term ${l.term}: committing it commits entry 1 too`,
      );
    },
  ),
  volatile("Leaders: send heartbeats during idle periods to prevent election timeouts, no more than ten per second (the lab's limit)", async (s) => {
    const l = await s.becomeLeader();
    await s.answerAppends(l.term);
    await s.settle(500);
    await s.answerAppends(l.term);
    const t0 = s.p.now;
    for (let t = 0; t < 2_000; t += 10) {
      await s.p.advance(10);
      await s.answerAppends(l.term);
    }
    const n = s.p.sent(AE, 0, 1).filter((c) => c.at >= t0 && c.at < t0 + 2_000).length;
    check(n >= 4, `an idle leader sent ${n} AppendEntries to S1 in 2 s; it must send heartbeats often enough to prevent election timeouts`);
    check(n <= 21, `an idle leader sent ${n} AppendEntries to S1 in 2 s; the lab allows at most ten heartbeats per second`);
    s.expectState(l.term, true, "an idle leader whose heartbeats are acknowledged");
  }),
  volatile("Leaders (Figure 13): a follower whose next entry was compacted away gets InstallSnapshot, then AppendEntries after the snapshot", async (s) => {
    const l = await s.becomeLeader();
    const cmds = [1, 2, 3].map((i) => entry(i, l.term));
    for (const e of cmds) s.p.raft.start(e.command);
    // S1 acknowledges everything; S2's replies are lost, so it stays behind.
    for (let k = 0; k < 5; k++) {
      await s.settle(100);
      for (const c of [...s.p.calls]) {
        if (c.answered || c.method !== AE) continue;
        const a = c.args as { prevLogIndex?: number; entries?: readonly unknown[] };
        await c.answer(c.to === 1 ? aeReply(l.term, true, (a.prevLogIndex ?? 0) + (a.entries?.length ?? 0)) : null);
      }
    }
    s.expectApplied(new Map(cmds.map((e, k) => [k + 1, e])), 3, "S1 and the leader hold entries 1-3 of the current term");
    s.p.raft.snapshot(3, snapshotBytes(3, l.term));
    await s.settle();
    // S2 now says its log is empty: the entries it needs are in the snapshot only.
    let sent: (typeof s.p.calls)[number] | undefined;
    for (let waited = 0; waited < 1_000 && sent === undefined; waited += 10) {
      await s.p.advance(10);
      for (const c of [...s.p.calls]) {
        if (c.answered || c.to === 0) continue;
        if (c.to === 2 && c.method === IS) sent = c;
        else if (c.method === AE)
          await c.answer(
            c.to === 2 ? { term: l.term, success: false, xTerm: -1, xIndex: -1, xLen: 1, conflictIndex: 1, conflictTerm: -1 } : aeReply(l.term, true, 3),
          );
      }
    }
    check(sent !== undefined, "S2 reported an empty log, but the leader, whose log starts after its snapshot at 3, sent it no InstallSnapshot within 1 s");
    const a = sent.args as { term?: unknown; leaderId?: unknown; lastIncludedIndex?: unknown; lastIncludedTerm?: unknown; data?: unknown };
    check(
      a.term === l.term && a.leaderId === 0 && a.lastIncludedIndex === 3 && a.lastIncludedTerm === l.term,
      `InstallSnapshot to S2: expected term ${l.term}, leaderId 0, lastIncludedIndex 3, lastIncludedTerm ${l.term}, got ${show(sent.args)}`,
    );
    check(
      a.data instanceof Uint8Array && Buffer.from(a.data).equals(Buffer.from(snapshotBytes(3, l.term))),
      `InstallSnapshot to S2 must carry the service's snapshot, got ${show(a.data)}`,
    );
    const after = s.p.calls.length;
    await sent.answer({ term: l.term });
    let next: (typeof s.p.calls)[number] | undefined;
    for (let waited = 0; waited < 1_000 && next === undefined; waited += 10) {
      await s.p.advance(10);
      next = s.p.calls.slice(after).find((c) => c.to === 2);
    }
    check(next !== undefined, "after S2 acknowledged the snapshot the leader sent it nothing within 1 s");
    const n = next.args as { prevLogIndex?: unknown };
    check(
      next.method === AE && typeof n.prevLogIndex === "number" && n.prevLogIndex >= 3,
      `after S2 acknowledged the snapshot at 3, the leader's next request to it must be AppendEntries with prevLogIndex >= 3 (nextIndex = 4), got ${next.method} ${show(next.args)}`,
    );
  }),
  volatile("Leaders: if successful, matchIndex = what the acknowledged request covered (a late reply to a resent request adds nothing)", async (s) => {
    const l = await s.becomeLeader();
    await s.answerAppends(l.term);
    const first = [1, 2, 3].map((i) => entry(i, l.term));
    for (const e of first) s.p.raft.start(e.command);
    // Hold S1's reply to the request carrying entries 1-3 until the leader sends them again.
    const carrying = (): typeof s.p.calls => s.p.sent(AE, 0, 1).filter((c) => !c.answered && ((c.args as { entries?: unknown[] }).entries?.length ?? 0) > 0);
    for (let waited = 0; waited < 1_000 && carrying().length < 2; waited += 10) {
      await s.p.advance(10);
      for (const c of s.p.sent(AE, 0, 2)) if (!c.answered) await c.answer(null);
    }
    const held = carrying();
    check(held.length >= 2, `the leader sent entries 1-3 to S1 ${held.length} time(s) in 1 s without a reply; this case needs it to resend them`);
    const [late, resent] = held as [(typeof held)[number], (typeof held)[number]];
    const ra = resent.args as { prevLogIndex: number; entries: unknown[] };
    await resent.answer(aeReply(l.term, true, ra.prevLogIndex + ra.entries.length));
    await s.settle();
    for (const e of [4, 5, 6].map((i) => entry(i, l.term))) s.p.raft.start(e.command);
    await s.settle();
    const la = late.args as { prevLogIndex: number; entries: unknown[] };
    await late.answer(aeReply(l.term, true, la.prevLogIndex + la.entries.length));
    await s.settle(20);
    const applied = s.p.applied.filter((m) => m.commandValid).length;
    check(
      applied <= 3,
      `S1 acknowledged entries 1-3 twice and never 4-6, but the leader applied ${applied} entries (matchIndex must be prevLogIndex + entries in the acknowledged request, not a count of replies)`,
    );
  }),
  follower(
    "Followers: AppendEntries from the current leader resets the election timer (no election while heartbeats arrive)",
    (s) => heartbeats(s, 1, 1_000),
    (s) => heartbeats(s, 1, 1_000),
    async (s) => noElection(s, 0, "heartbeats arrived every 50 ms for 2 s"),
  ),
  follower(
    "Followers: granting a vote resets the election timer",
    async (s) => {
      for (let t = 1; t <= 20; t++) {
        noElection(s, 0, `a vote was granted every 100 ms (the last in term ${t - 1})`);
        await s.requestVote({ term: t, candidate: 1 + (t % 2), lastIndex: 0, lastTerm: 0 }, { granted: true, term: t }, `a new candidate in term ${t}`);
        await s.p.advance(95);
      }
    },
    async (s) => noElection(s, 0, "a vote was granted every 100 ms for 2 s"),
  ),
];
