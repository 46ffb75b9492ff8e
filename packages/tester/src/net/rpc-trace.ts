// Trace events for RPCs, emitted by the simulated network itself, for a Raft that traces nothing of its
// own (a student's --impl): the request's send and receipt, the reply's send and receipt, in the schema
// of docs/trace-format.md (ops RequestVote, AppendEntries, InstallSnapshot and their …Reply, topics
// VOTE, LOG1, SNAP; `id` pairs the four events and the network's MsgLost), so logviz shows and pairs an
// uninstrumented Raft's whole message flow. The emitting peer's term and role come from its getState()
// (a peer that sent RequestVote in its current term and is not leader is shown as candidate).
//
// Our own Raft traces its RPCs itself; the runner turns this on only for implementations that do not
// (runner.ts, `netTrace`), so our traces are unchanged.

import type { MessageFields, PeerOp, RaftPeer, Role, Topic, TraceEvent, TraceSink, Value } from "@raftlab/raft";
import type { Simulator } from "../sim/simulator.js";

type Obj = { readonly [key: string]: Value };

function asObj(v: Value | null | undefined): Obj | null {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Obj) : null;
}

/** A top-level field in any letter case, with or without underscores. */
function field(o: Obj | null, name: string): Value | undefined {
  if (o === null) return undefined;
  const direct = o[name];
  if (direct !== undefined) return direct;
  const want = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.replace(/_/g, "").toLowerCase() === want) return o[key];
  return undefined;
}

const num = (v: Value | undefined): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const bool = (v: Value | undefined): boolean | undefined => (typeof v === "boolean" ? v : undefined);

interface Kind {
  readonly op: PeerOp;
  readonly reply: PeerOp;
  readonly topic: Topic;
  readonly short: string;
}

const KINDS: readonly [RegExp, Kind][] = [
  [/requestvote/i, { op: "RequestVote", reply: "RequestVoteReply", topic: "VOTE", short: "RV" }],
  [/appendentries/i, { op: "AppendEntries", reply: "AppendEntriesReply", topic: "LOG1", short: "AE" }],
  [/installsnapshot/i, { op: "InstallSnapshot", reply: "InstallSnapshotReply", topic: "SNAP", short: "IS" }],
];

function kindOf(method: string): Kind {
  for (const [re, k] of KINDS) if (re.test(method)) return k;
  return { op: "Log", reply: "Log", topic: "INFO", short: method };
}

function requestSummary(kind: Kind, args: Obj | null): { fields: MessageFields; text: string } {
  const mterm = num(field(args, "term"));
  const base: MessageFields = mterm === undefined ? {} : { mterm };
  const t = mterm === undefined ? "" : ` T${mterm}`;
  if (kind.op === "RequestVote") {
    const lastLogIndex = num(field(args, "lastLogIndex"));
    const lastLogTerm = num(field(args, "lastLogTerm"));
    return {
      fields: { ...base, ...(lastLogIndex !== undefined ? { lastLogIndex } : {}), ...(lastLogTerm !== undefined ? { lastLogTerm } : {}) },
      text: `${kind.short}${t} last=(${lastLogIndex ?? "?"},${lastLogTerm ?? "?"})`,
    };
  }
  if (kind.op === "AppendEntries") {
    const prevLogIndex = num(field(args, "prevLogIndex"));
    const prevLogTerm = num(field(args, "prevLogTerm"));
    const leaderCommit = num(field(args, "leaderCommit"));
    const entries = field(args, "entries");
    const n = Array.isArray(entries) ? entries.length : 0;
    const range = n > 0 && prevLogIndex !== undefined ? { first: prevLogIndex + 1, last: prevLogIndex + n } : {};
    const what = n > 0 && prevLogIndex !== undefined ? `[${prevLogIndex + 1}..${prevLogIndex + n}]` : "heartbeat";
    return {
      fields: {
        ...base,
        ...(prevLogIndex !== undefined ? { prevLogIndex } : {}),
        ...(prevLogTerm !== undefined ? { prevLogTerm } : {}),
        ...range,
        ...(leaderCommit !== undefined ? { leaderCommit } : {}),
      },
      text: `${kind.short}${t} prev=(${prevLogIndex ?? "?"},${prevLogTerm ?? "?"}) ${what} commit=${leaderCommit ?? "?"}`,
    };
  }
  if (kind.op === "InstallSnapshot") {
    const lastIncludedIndex = num(field(args, "lastIncludedIndex"));
    const lastIncludedTerm = num(field(args, "lastIncludedTerm"));
    return {
      fields: { ...base, ...(lastIncludedIndex !== undefined ? { lastIncludedIndex } : {}), ...(lastIncludedTerm !== undefined ? { lastIncludedTerm } : {}) },
      text: `${kind.short}${t} last=(${lastIncludedIndex ?? "?"},${lastIncludedTerm ?? "?"})`,
    };
  }
  return { fields: base, text: `${kind.short}${t}` };
}

function replySummary(kind: Kind, reply: Obj | null): { fields: MessageFields; text: string } {
  const mterm = num(field(reply, "term"));
  const base: MessageFields = mterm === undefined ? {} : { mterm };
  const t = mterm === undefined ? "" : ` T${mterm}`;
  if (kind.op === "RequestVote") {
    const voteGranted = bool(field(reply, "voteGranted"));
    return {
      fields: { ...base, ...(voteGranted !== undefined ? { voteGranted } : {}) },
      text: `${kind.short} reply${t} ${voteGranted === true ? "granted" : "refused"}`,
    };
  }
  if (kind.op === "AppendEntries") {
    const success = bool(field(reply, "success"));
    return { fields: { ...base, ...(success !== undefined ? { success } : {}) }, text: `${kind.short} reply${t} ${success === true ? "ok" : "rejected"}` };
  }
  return { fields: base, text: `${kind.short} reply${t}` };
}

export class RpcTracer {
  private seq = 0;
  /** The term of each peer's latest RequestVote: it is a candidate while that is its term and it does not lead. */
  private readonly rvTerm = new Map<number, number>();

  constructor(
    private readonly sim: Simulator,
    private readonly sink: TraceSink,
  ) {}

  /** An id for a request that brought none of its own (unique within the run, deterministic). */
  nextId(from: number): string {
    return `net.${from}.${++this.seq}`;
  }

  private who(peer: number, raft: RaftPeer | null | undefined): { term: number; state: Role } {
    if (raft === null || raft === undefined) return { term: -1, state: "follower" };
    let s: { term: number; isLeader: boolean };
    try {
      s = raft.getState();
    } catch {
      return { term: -1, state: "follower" };
    }
    const state: Role = s.isLeader ? "leader" : this.rvTerm.get(peer) === s.term ? "candidate" : "follower";
    return { term: s.term, state };
  }

  private emit(src: number, raft: RaftPeer | null | undefined, op: PeerOp, topic: Topic, msg: string, fields: MessageFields): void {
    const { term, state } = this.who(src, raft);
    const ev: TraceEvent = { t: this.sim.now, src, term, state, op, topic, msg, ...fields };
    this.sink(ev);
  }

  request(dir: "send" | "recv", from: number, to: number, raft: RaftPeer | null | undefined, method: string, args: Value, id: string): void {
    const kind = kindOf(method);
    const a = asObj(args);
    if (dir === "send" && kind.op === "RequestVote") {
      const term = num(field(a, "term"));
      if (term !== undefined) this.rvTerm.set(from, term);
    }
    const { fields, text } = requestSummary(kind, a);
    this.emit(dir === "send" ? from : to, raft, kind.op, kind.topic, `S${from} -> S${to} ${text}`, { dst: to, from, id, dir, ...fields });
  }

  /** The reply of `caller`'s request to `server`: sent by server, received by caller. */
  reply(dir: "send" | "recv", caller: number, server: number, raft: RaftPeer | null | undefined, method: string, reply: Value, id: string): void {
    const kind = kindOf(method);
    const { fields, text } = replySummary(kind, asObj(reply));
    this.emit(dir === "send" ? server : caller, raft, kind.reply, kind.topic, `S${server} -> S${caller} ${text}`, {
      dst: caller,
      from: server,
      id,
      dir,
      ...fields,
    });
  }
}
