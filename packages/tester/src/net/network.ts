// The simulated network, with labrpc's semantics (6.5840 src/labrpc/labrpc.go):
//   - directional ends (one per sender incarnation and destination), each with an enable flag;
//   - every call counts one RPC and its encoded argument bytes, even when it goes nowhere;
//   - an end that is disabled, or whose server is gone, fails the call after U[0,7000) ms (long
//     delays, which the Raft tester always turns on) or U[0,100) ms;
//   - reliable: the request is dispatched at once (a separate event, so it interleaves by seed);
//   - unreliable: U{0..26} ms delay, then 10% of requests are dropped before the handler runs;
//   - after the handler returns, the reply is lost if the end was disabled or the server replaced
//     meanwhile; unreliable: 10% of replies are dropped (the handler did run);
//   - long reordering: 600 in 900 replies are held for 200 + Intn(1 + Intn(2000)) ms;
//   - reply bytes are counted when a reply is delivered; per-server counts are requests dispatched to
//     that server object (a restarted server starts again at zero).
// Arguments and replies are copied through encodeValue/decodeValue (our labgob), so no object is
// shared between peers, and byte counts are encoded sizes.

import { decodeValue, encodeValue, type ClientEnd, type Prng, type RaftPeer, type RpcMeta, type TraceSink, type Value } from "@raftlab/raft";
import { emitHarness } from "./events.js";
import type { InstantTraffic } from "../sim/livelock.js";

export type { InstantTraffic };
import { isThenable } from "../sim/runtime.js";
import type { RpcTracer } from "./rpc-trace.js";
import { NEVER, type Simulator } from "../sim/simulator.js";

/** labrpc's constants. */
export const SHORT_DELAY_MS = 27; // U{0..26}
export const REQUEST_DROP_PER_MILLE = 100;
export const REPLY_DROP_PER_MILLE = 100;
export const LONG_DELAY_MS = 7000; // U[0,7000) for unreachable servers when long delays are on
export const SHORT_TIMEOUT_MS = 100; // U[0,100) otherwise
export const REORDER_NUMERATOR = 600; // out of 900
export const REORDER_MIN_MS = 200;
export const REORDER_SPREAD_MS = 2000;
export const DEAD_POLL_MS = 100;

/** Whoever owns an end: a peer incarnation, which may be killed. */
export interface EndOwner {
  readonly killed: boolean;
  /** The incarnation's Raft, for the term and role on network-emitted trace events. */
  readonly raft?: RaftPeer | null;
}

export interface NetworkHooks {
  /** Sees every request sent by a live incarnation (before it is encoded), e.g. for invariant checks. */
  onSend?(from: number, to: number, method: string, args: Value): void;
  /** Sees every reply delivered to a live incarnation (`from` is the caller), with its request's arguments. */
  onReply?(from: number, to: number, method: string, reply: Value, args: Value): void;
  /** Sees every reply a server's handler returned (`from` is the caller), delivered or not. */
  onHandled?(from: number, to: number, method: string, args: Value, reply: Value): void;
}

interface ServerSlot {
  readonly peer: RaftPeer;
  /** Requests dispatched to this server object (labrpc Server.GetCount). */
  count: number;
}

export class SimEnd implements ClientEnd {
  enabled = false;
  constructor(
    private readonly net: Network,
    readonly from: number,
    readonly to: number,
    readonly owner: EndOwner,
  ) {}
  call(method: string, args: Value, meta?: RpcMeta): Promise<Value | null> {
    return this.net.call(this, method, args, meta);
  }
}

type Resolve = (v: Value | null) => void;

/** One call on the network: its direction, method and ordinal on that direction (0, 1, ...), sent at `t`. */
export interface NetMessage {
  readonly from: number;
  readonly to: number;
  readonly method: string;
  /** The how-manieth call from `from` to `to` this is, counting from 0 over the whole run. */
  readonly n: number;
  readonly t: number;
}

/**
 * The network's random choices about one message. By default they are drawn from the network's PRNG
 * stream (seededNetChoices); a schedule (src/schedule/) records and replays them per message, so one
 * message's fault can be removed without shifting any other message's.
 */
export interface NetChoices {
  /** ms until a call to a disconnected or dead server fails. */
  unreachableMs(msg: NetMessage, longDelays: boolean): number;
  /** Unreliable network: ms before the request reaches the server. */
  requestDelayMs(msg: NetMessage): number;
  /** Unreliable network: whether the request is lost before the handler runs. */
  dropRequest(msg: NetMessage): boolean;
  /** Unreliable network: whether the reply is lost (the handler did run). */
  dropReply(msg: NetMessage): boolean;
  /** Long reordering: ms the reply is held back (0: not held). */
  replyHoldMs(msg: NetMessage): number;
}

/** labrpc's choices, drawn from `prng` in labrpc's order. */
export function seededNetChoices(prng: Prng): NetChoices {
  return {
    unreachableMs: (_msg, longDelays) => (longDelays ? prng.int(LONG_DELAY_MS) : prng.int(SHORT_TIMEOUT_MS)),
    requestDelayMs: () => prng.int(SHORT_DELAY_MS),
    dropRequest: () => prng.int(1000) < REQUEST_DROP_PER_MILLE,
    dropReply: () => prng.int(1000) < REPLY_DROP_PER_MILLE,
    replyHoldMs: () => (prng.int(900) < REORDER_NUMERATOR ? REORDER_MIN_MS + prng.int(1 + prng.int(REORDER_SPREAD_MS)) : 0),
  };
}

/** Distinct (pair, method) counters kept per instant: enough for any cluster the lab builds. */
const MAX_INSTANT_TRAFFIC = 128;

export class Network {
  reliable = true;
  longReordering = false;
  longDelays = true;
  /** Emits send/receive/reply events for every RPC (for a Raft that traces none itself); null: off. */
  rpcTracer: RpcTracer | null = null;
  totalRpcs = 0;
  totalBytes = 0;
  /** Where the fault decisions come from: the PRNG stream, or a schedule replaying them. */
  choices: NetChoices;
  /** Calls so far per direction (index from * n + to), numbering each call for `choices`. */
  private readonly sent: number[];
  private readonly servers: (ServerSlot | null)[];
  private lostSeq = 0;
  /** Requests sent at `instantAt`, per peer pair and method: what a livelock message names. */
  private instantAt = -1;
  private readonly instant: InstantTraffic[] = [];

  constructor(
    private readonly sim: Simulator,
    prng: Prng,
    n: number,
    private readonly trace: TraceSink | null,
    private readonly hooks: NetworkHooks = {},
  ) {
    this.servers = new Array<ServerSlot | null>(n).fill(null);
    this.choices = seededNetChoices(prng);
    this.sent = new Array<number>(n * n).fill(0);
  }

  makeEnd(from: number, to: number, owner: EndOwner): SimEnd {
    return new SimEnd(this, from, to, owner);
  }

  addServer(i: number, peer: RaftPeer): void {
    this.servers[i] = { peer, count: 0 };
  }

  /** In-flight requests to the old server fail; later ones are unreachable. */
  deleteServer(i: number): void {
    this.servers[i] = null;
  }

  getCount(i: number): number {
    return this.servers[i]?.count ?? 0;
  }

  call(end: SimEnd, method: string, args: Value, meta: RpcMeta | undefined): Promise<Value | null> {
    const sim = this.sim;
    if (sim.stopped) return NEVER;
    let bytes: Uint8Array;
    try {
      bytes = encodeValue(args);
    } catch (err) {
      sim.onError(new Error(`peer ${end.from} sent ${method} with arguments that cannot be encoded: ${(err as Error).message}`));
      return NEVER;
    }
    this.totalRpcs++;
    this.totalBytes += bytes.length;
    this.countInstant(end.from, end.to, method);
    if (this.hooks.onSend !== undefined && !end.owner.killed) this.hooks.onSend(end.from, end.to, method, args);
    const tracer = this.rpcTracer;
    let routed = meta;
    if (tracer !== null) {
      // The id pairs the network's events for this call, MsgLost included.
      if (meta?.id === undefined) routed = { ...meta, id: tracer.nextId(end.from) };
      if (!end.owner.killed) tracer.request("send", end.from, end.to, end.owner.raft, method, args, routed?.id as string);
    }
    const pair = end.from * this.servers.length + end.to;
    const msg: NetMessage = { from: end.from, to: end.to, method, n: this.sent[pair] ?? 0, t: sim.now };
    this.sent[pair] = msg.n + 1;
    return new Promise<Value | null>((resolve) => this.route(end, msg, bytes, routed, resolve));
  }

  private route(end: SimEnd, msg: NetMessage, bytes: Uint8Array, meta: RpcMeta | undefined, resolve: Resolve): void {
    const method = msg.method;
    const slot = this.servers[end.to] ?? null;
    // Like labrpc, the flags are read once, when the network picks the request up.
    const reliable = this.reliable;
    const reordering = this.longReordering;
    if (!end.enabled || slot === null) {
      const ms = this.choices.unreachableMs(msg, this.longDelays);
      this.lost(end, method, meta, end.enabled ? "server down" : "unreachable");
      this.sim.schedule(ms, () => this.settle(resolve, null), end.from);
      return;
    }
    const delay = reliable ? 0 : this.choices.requestDelayMs(msg);
    this.sim.schedule(delay, () => this.dispatch(end, slot, msg, bytes, meta, resolve, reliable, reordering), end.to);
  }

  private dispatch(
    end: SimEnd,
    slot: ServerSlot,
    msg: NetMessage,
    bytes: Uint8Array,
    meta: RpcMeta | undefined,
    resolve: Resolve,
    reliable: boolean,
    reordering: boolean,
  ): void {
    const method = msg.method;
    if (!reliable && this.choices.dropRequest(msg)) {
      this.lost(end, method, meta, "request dropped");
      this.settle(resolve, null);
      return;
    }
    slot.count++;
    const args = decodeValue(bytes);
    if (this.rpcTracer !== null) this.rpcTracer.request("recv", end.from, end.to, slot.peer, method, args, meta?.id ?? "");
    const result: unknown = slot.peer.handleRpc(method, args, meta);
    if (!isThenable(result)) {
      this.finish(end, slot, msg, args, meta, resolve, result as Value | null, reliable, reordering);
      return;
    }
    // An asynchronous handler: wait for it, giving up (as labrpc does) once the server is dead.
    this.sim.needsDrain = true;
    let done = false;
    const poll = (): void => {
      if (done) return;
      if (this.isDead(end, slot)) {
        done = true;
        this.lost(end, method, meta, "server died during the call");
        this.settle(resolve, null);
        return;
      }
      this.sim.schedule(DEAD_POLL_MS, poll, end.to);
    };
    this.sim.schedule(DEAD_POLL_MS, poll, end.to);
    result.then(
      (reply) => {
        if (done) return;
        done = true;
        this.finish(end, slot, msg, args, meta, resolve, reply as Value | null, reliable, reordering);
      },
      (err: unknown) => {
        done = true;
        this.sim.onError(err);
      },
    );
  }

  private finish(
    end: SimEnd,
    slot: ServerSlot,
    msg: NetMessage,
    args: Value,
    meta: RpcMeta | undefined,
    resolve: Resolve,
    reply: Value | null | undefined,
    reliable: boolean,
    reordering: boolean,
  ): void {
    const method = msg.method;
    if (reply !== null && reply !== undefined && this.servers[end.to] === slot) {
      if (this.rpcTracer !== null) this.rpcTracer.reply("send", end.from, end.to, slot.peer, method, reply, meta?.id ?? "");
      if (this.hooks.onHandled !== undefined) this.hooks.onHandled(end.from, end.to, method, args, reply);
    }
    if (this.isDead(end, slot)) {
      this.lost(end, method, meta, "server died or was disconnected before replying");
      this.settle(resolve, null);
      return;
    }
    if (reply === null || reply === undefined) {
      this.lost(end, method, meta, "handler gave no reply");
      this.settle(resolve, null);
      return;
    }
    let replyBytes: Uint8Array;
    try {
      replyBytes = encodeValue(reply);
    } catch (err) {
      this.sim.onError(new Error(`peer ${end.to} replied to ${method} with a value that cannot be encoded: ${(err as Error).message}`));
      return;
    }
    if (!reliable && this.choices.dropReply(msg)) {
      this.lost(end, method, meta, "reply dropped");
      this.settle(resolve, null);
      return;
    }
    const delay = reordering ? this.choices.replyHoldMs(msg) : 0;
    this.sim.schedule(
      delay,
      () => {
        this.totalBytes += replyBytes.length;
        const value = decodeValue(replyBytes);
        if (!end.owner.killed) {
          if (this.rpcTracer !== null) this.rpcTracer.reply("recv", end.from, end.to, end.owner.raft, method, value, meta?.id ?? "");
          if (this.hooks.onReply !== undefined) this.hooks.onReply(end.from, end.to, method, value, args);
        }
        this.settle(resolve, value);
      },
      end.from,
    );
  }

  private countInstant(from: number, to: number, method: string): void {
    if (this.sim.now !== this.instantAt) {
      this.instantAt = this.sim.now;
      this.instant.length = 0;
    }
    const a = from < to ? from : to;
    const b = from < to ? to : from;
    for (const c of this.instant) {
      if (c.a === a && c.b === b && c.method === method) {
        c.count++;
        return;
      }
    }
    if (this.instant.length < MAX_INSTANT_TRAFFIC) this.instant.push({ a, b, method, count: 1 });
  }

  /** The requests sent at the current virtual instant, busiest first (empty if none was). */
  instantTraffic(): InstantTraffic[] {
    if (this.instantAt !== this.sim.now) return [];
    return [...this.instant].sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
  }

  private isDead(end: SimEnd, slot: ServerSlot): boolean {
    return !end.enabled || this.servers[end.to] !== slot;
  }

  private settle(resolve: Resolve, value: Value | null): void {
    this.sim.needsDrain = true;
    resolve(value);
  }

  private lost(end: SimEnd, method: string, meta: RpcMeta | undefined, reason: string): void {
    if (this.trace === null) return;
    const id = meta?.id ?? `net${++this.lostSeq}`;
    emitHarness(this.trace, this.sim.now, "MsgLost", "DROP", `S${end.from} -> S${end.to} ${method} lost: ${reason}`, {
      id,
      from: end.from,
      dst: end.to,
      reason,
    });
  }
}
