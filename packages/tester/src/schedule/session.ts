// One run's schedule: it records every decision the run takes and, given a schedule to replay, takes
// the listed decisions instead of drawing them. Recording only observes: a run with a session and no
// schedule to replay draws exactly what a run without one draws, so its trace is the seed run's.
//
// Replay matches decisions by address, not by position in one stream: a message by its direction and
// ordinal, a script step by its op and ordinal, a tester draw by its bound, a Raft's draw by peer and
// incarnation. Removing one fault therefore moves no other decision. What a replayed schedule does not
// list gets no fault (the message is delivered at once; a step that would inject a fault is left out,
// any other step is taken); the other draws it does
// not list (how long an unreachable call takes to fail, the tester's and the Raft's draws) continue
// from the seed's streams.

import type { Prng } from "@raftlab/raft";
import type { ScheduleHooks, ScriptGate, ScriptOp } from "../harness/host.js";
import type { NetChoices, NetMessage } from "../net/network.js";
import { netKey, SCHEDULE_FORMAT, SCHEDULE_VERSION, stepKey, type NetDecision, type Schedule, type ScriptStep } from "./format.js";

type MutableDecision = { -readonly [K in keyof NetDecision]: NetDecision[K] };

/** A queue of recorded values replayed in order, recording what was actually used. */
class DrawQueue {
  private pos = 0;
  readonly used: number[] = [];
  constructor(private readonly replay: readonly number[] | undefined) {}
  take(drawn: number): number {
    const r = this.replay?.[this.pos++];
    const v = r === undefined ? drawn : r;
    this.used.push(v);
    return v;
  }
}

/** Queues by key, created on first use (in first-use order). */
class QueueMap {
  readonly queues = new Map<string, DrawQueue>();
  constructor(private readonly replay: Readonly<Record<string, readonly number[]>> | undefined) {}
  get(key: string): DrawQueue {
    let q = this.queues.get(key);
    if (q === undefined) {
      q = new DrawQueue(this.replay !== undefined && Object.hasOwn(this.replay, key) ? this.replay[key] : undefined);
      this.queues.set(key, q);
    }
    return q;
  }
  toRecord(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [k, q] of this.queues) out[k] = q.used;
    return out;
  }
}

export interface SessionOptions {
  readonly test: string;
  readonly seed: number;
  readonly servers: number;
  /** The schedule to replay; absent: record the seed run. */
  readonly replay?: Schedule;
  /** Recorded into the schedule, for the replay command. */
  readonly impl?: string;
}

export class ScheduleSession implements ScheduleHooks {
  readonly test: string;
  readonly seed: number;
  readonly servers: number;
  private readonly impl: string | undefined;
  private readonly input: Schedule | null;
  private now: () => number = () => 0;
  private readonly replayNet = new Map<string, NetDecision>();
  private readonly replaySteps = new Map<string, ScriptStep>();
  private readonly net = new Map<string, MutableDecision>();
  private readonly steps: ScriptStep[] = [];
  private readonly opCounts = new Map<string, number>();
  private readonly tester: QueueMap;
  private readonly math: QueueMap;
  private readonly peers: DrawQueue[][];

  constructor(opts: SessionOptions) {
    const input = opts.replay ?? null;
    if (input !== null && (input.test !== opts.test || input.servers !== opts.servers)) {
      throw new RangeError(`the schedule is for ${input.test} (${input.servers} servers), not ${opts.test}`);
    }
    this.test = opts.test;
    this.seed = input?.seed ?? opts.seed;
    this.servers = opts.servers;
    this.impl = opts.impl ?? input?.impl;
    this.input = input;
    for (const d of input?.net ?? []) this.replayNet.set(netKey(d.from, d.to, d.n), d);
    for (const s of input?.script ?? []) this.replaySteps.set(stepKey(s.op, s.k), s);
    this.tester = new QueueMap(input?.tester);
    this.math = new QueueMap(input?.math);
    this.peers = Array.from({ length: opts.servers }, () => []);
  }

  /** The virtual clock, for the times the schedule notes. */
  bindClock(now: () => number): void {
    this.now = now;
  }

  // ---- the tester's, the Raft's and Math.random's draws ------------------------------------------

  /** The test's own rand: one queue per bound. */
  testerStream(prng: Prng): Prng {
    const tester = this.tester;
    const stream: Prng = {
      next: () => tester.get("f").take(prng.next()),
      int: (n) => tester.get(String(n)).take(prng.int(n)),
      fork: () => prng.fork(),
    };
    return stream;
  }

  /** Math.random's stream: one queue per peer that draws (`owner()`: -1 for the harness). */
  mathStream(prng: Prng, owner: () => number): Prng {
    const math = this.math;
    return {
      next: () => math.get(String(owner())).take(prng.next()),
      int: (n) => Math.floor(math.get(String(owner())).take(prng.next()) * n),
      fork: () => prng.fork(),
    };
  }

  peerStream(peer: number, forked: Prng): Prng {
    const incarnations = this.peers[peer];
    if (incarnations === undefined) return forked;
    const q = new DrawQueue(this.input?.peers[peer]?.[incarnations.length]);
    incarnations.push(q);
    return {
      next: () => q.take(forked.next()),
      int: (n) => Math.floor(q.take(forked.next()) * n),
      fork: () => forked.fork(),
    };
  }

  // ---- the network -----------------------------------------------------------------------------

  netChoices(seeded: NetChoices): NetChoices {
    const replaying = this.input !== null;
    const listed = (m: NetMessage): NetDecision | undefined => this.replayNet.get(netKey(m.from, m.to, m.n));
    const entry = (m: NetMessage): MutableDecision => {
      const key = netKey(m.from, m.to, m.n);
      let e = this.net.get(key);
      if (e === undefined) {
        e = { from: m.from, to: m.to, n: m.n, method: m.method, t: m.t };
        this.net.set(key, e);
      }
      return e;
    };
    return {
      unreachableMs: (m, longDelays) => {
        const v = listed(m)?.u ?? seeded.unreachableMs(m, longDelays);
        entry(m).u = v;
        return v;
      },
      requestDelayMs: (m) => {
        const v = replaying ? (listed(m)?.d ?? 0) : seeded.requestDelayMs(m);
        if (v !== 0) entry(m).d = v;
        return v;
      },
      dropRequest: (m) => {
        const v = replaying ? listed(m)?.q === true : seeded.dropRequest(m);
        if (v) entry(m).q = true;
        return v;
      },
      dropReply: (m) => {
        const v = replaying ? listed(m)?.r === true : seeded.dropReply(m);
        if (v) entry(m).r = true;
        return v;
      },
      replyHoldMs: (m) => {
        const v = replaying ? (listed(m)?.h ?? 0) : seeded.replyHoldMs(m);
        if (v !== 0) entry(m).h = v;
        return v;
      },
    };
  }

  // ---- the test script -------------------------------------------------------------------------

  readonly gate: ScriptGate = {
    allow: (op: ScriptOp, peer: number, fault: boolean): boolean => {
      const k = this.opCounts.get(op) ?? 0;
      this.opCounts.set(op, k + 1);
      // Replaying, a step injects a fault only where the schedule lists one that is not left out.
      const listed = this.replaySteps.get(stepKey(op, k));
      const skip = fault && this.input !== null && (listed === undefined || !listed.fault || listed.skip === true);
      this.steps.push({ op, k, peer, t: this.now(), fault, ...(skip ? { skip: true } : {}) });
      return !skip;
    },
  };

  /** Everything the run decided so far, as a schedule that replays it. */
  schedule(): Schedule {
    const peers = this.peers.map((incs) => incs.map((q) => q.used));
    while (peers.length > 0 && (peers[peers.length - 1] as number[][]).length === 0) peers.pop();
    return {
      format: SCHEDULE_FORMAT,
      version: SCHEDULE_VERSION,
      test: this.test,
      seed: this.seed,
      servers: this.servers,
      ...(this.impl !== undefined ? { impl: this.impl } : {}),
      script: [...this.steps],
      net: [...this.net.values()].map((d) => ({ ...d })),
      tester: this.tester.toRecord(),
      peers,
      math: this.math.toRecord(),
    };
  }
}
