import type { TraceEvent } from "@raftlab/raft/trace";
import { Ingest } from "../src/ingest.js";
import { LogStore } from "../src/store.js";

/** A store holding `text` parsed as if read from a file. */
export function storeOf(text: string): LogStore {
  const store = new LogStore({ initialCapacity: 16 });
  const ing = new Ingest(store);
  ing.pushText(text);
  ing.end();
  return store;
}

export function ev(e: Partial<TraceEvent> & Pick<TraceEvent, "t" | "src" | "op">): string {
  const base = { term: e.src === -1 ? -1 : 1, state: e.src === -1 ? "none" : "follower", topic: e.src === -1 ? "TEST" : "INFO", msg: "" };
  return JSON.stringify({ ...base, ...e });
}

/** A small hand-written trace: one test, an election in term 1, a heartbeat with a reply, a loss, a crash. */
export const SMALL_TRACE =
  [
    ev({ t: 0, src: -1, op: "TestBegin", msg: "Test Small begins", test: "SmallElection3A", seed: 7 }),
    ev({ t: 1, src: 0, op: "ElectionTimeout", topic: "TIMR", term: 0, msg: "election timeout" }),
    ev({ t: 2, src: 0, op: "BecomeCandidate", topic: "TERM", term: 1, state: "candidate", msg: "converting to candidate T1" }),
    ev({
      t: 3,
      src: 0,
      op: "RequestVote",
      topic: "VOTE",
      term: 1,
      state: "candidate",
      msg: "S0 -> S1 RequestVote",
      dst: 1,
      from: 0,
      id: "v1",
      dir: "send",
      mterm: 1,
    }),
    ev({ t: 4.5, src: 1, op: "RequestVote", topic: "VOTE", term: 1, msg: "S1 <- S0 RequestVote", dst: 1, from: 0, id: "v1", dir: "recv", mterm: 1 }),
    ev({
      t: 5,
      src: 1,
      op: "RequestVoteReply",
      topic: "VOTE",
      term: 1,
      msg: "S1 grants vote",
      dst: 0,
      from: 1,
      id: "v1",
      dir: "send",
      mterm: 1,
      voteGranted: true,
    }),
    ev({
      t: 7,
      src: 0,
      op: "RequestVoteReply",
      topic: "VOTE",
      term: 1,
      state: "candidate",
      msg: "S0 got vote from S1",
      dst: 0,
      from: 1,
      id: "v1",
      dir: "recv",
      mterm: 1,
      voteGranted: true,
    }),
    ev({ t: 8, src: 0, op: "BecomeLeader", topic: "LEAD", term: 1, state: "leader", msg: "leader for T1" }),
    ev({
      t: 9,
      src: 0,
      op: "AppendEntries",
      topic: "LOG1",
      term: 1,
      state: "leader",
      msg: "S0 -> S2 heartbeat",
      dst: 2,
      from: 0,
      id: "a1",
      dir: "send",
      mterm: 1,
    }),
    ev({ t: 9.5, src: -1, op: "MsgLost", msg: "AppendEntries S0 -> S2 lost", dst: 2, from: 0, id: "a1", mterm: 1, reason: "unreliable" }),
    ev({ t: 10, src: -1, op: "Crash", msg: "crash S2", peer: 2 }),
    ev({ t: 20, src: 2, op: "ElectionTimeout", topic: "TIMR", term: 1, msg: "S2 timeout" }),
    ev({ t: 21, src: 2, op: "BecomeCandidate", topic: "TERM", term: 2, state: "candidate", msg: "S2 candidate T2" }),
    ev({ t: 30, src: -1, op: "Violation", topic: "ERRO", msg: "two leaders", reason: "election safety" }),
    ev({ t: 31, src: -1, op: "TestEnd", msg: "Test Small failed", test: "SmallElection3A", ok: false }),
  ].join("\n") + "\n";
