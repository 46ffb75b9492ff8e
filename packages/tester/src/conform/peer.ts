// One Raft peer under a conformance script: the script plays every other peer. The peer's outgoing
// calls are captured (the script answers them, or never does), incoming RPCs are the script's, time is
// virtual and moves only when the script says, and "restart" kills the peer and makes a new one from a
// copy of what it persisted, exactly as the lab's crash does. Nothing else can reach the peer.

import { describeCrash } from "../harness/failure.js";
import {
  cloneValue,
  createPrng,
  MemoryPersister,
  type ApplyMsg,
  type CancelTimer,
  type ClientEnd,
  type MakeRaft,
  type RaftPeer,
  type Runtime,
  type Value,
} from "@raftlab/raft";

/** A conformance check that did not hold: the message says what Figure 2 expected and what happened. */
export class CaseFailure extends Error {
  override name = "CaseFailure";
}

/** A request the peer sent; `answer` delivers the script's reply (or null: lost). */
export interface SentCall {
  readonly to: number;
  readonly method: string;
  readonly args: Value;
  readonly at: number;
  answered: boolean;
  answer(reply: Value | null): Promise<void>;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
  readonly incarnation: number;
}

/** Lets every pending promise continuation run (a macrotask hop drains the microtask queue). */
export const flush = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Bounds: a peer that schedules timers or sends in a loop fails its case instead of hanging. */
const MAX_TIMERS_PER_ADVANCE = 100_000;
const MAX_CALLS = 100_000;

export class ConformPeer {
  now = 0;
  private timers: Timer[] = [];
  private seq = 0;
  incarnation = 0;
  raft!: RaftPeer;
  persister = new MemoryPersister();
  /** ApplyMsgs delivered by the current incarnation. */
  applied: ApplyMsg[] = [];
  /** Every call the peer made, all incarnations, in order. */
  readonly calls: SentCall[] = [];
  /** Set once the peer was restarted from its persisted state during the case. */
  restarts = 0;
  private readonly errors: unknown[] = [];
  private tooManyCalls = false;

  /** Something the peer threw where no caller could catch it (an unhandled rejection, say): the case fails at its next step. */
  report(e: unknown): void {
    this.errors.push(e);
  }

  constructor(
    private readonly make: MakeRaft,
    readonly n: number,
    readonly me: number,
    private readonly seed: number,
  ) {}

  async boot(): Promise<void> {
    const inc = ++this.incarnation;
    this.applied = [];
    const prng = createPrng(this.seed * 1000 + inc);
    const runtime: Runtime = {
      now: () => this.now,
      random: () => prng.next(),
      trace: null,
      setTimer: (ms: number, fn: () => void): CancelTimer => {
        const t: Timer = { at: this.now + Math.max(0, Number(ms) || 0), seq: ++this.seq, fn, cancelled: false, incarnation: inc };
        this.timers.push(t);
        return () => {
          t.cancelled = true;
        };
      },
    };
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) ends.push({ call: (method, args) => this.capture(inc, j, method, args) });
    const applyCh = (m: ApplyMsg): void => {
      if (inc === this.incarnation) this.applied.push(m);
    };
    try {
      this.raft = this.make(ends, this.me, this.persister, applyCh, runtime);
    } catch (e) {
      throw new CaseFailure(`make() threw: ${oneLine(e)}`);
    }
    await flush();
    this.rethrow();
  }

  private capture(inc: number, to: number, method: string, args: Value): Promise<Value | null> {
    if (inc !== this.incarnation) return new Promise<Value | null>(() => {}); // a killed incarnation's call goes nowhere
    if (this.calls.length >= MAX_CALLS) {
      // Not thrown into the peer's own code (where it could be swallowed or left unhandled): the
      // script sees it at its next step.
      if (!this.tooManyCalls) this.errors.push(new CaseFailure(`the peer made more than ${MAX_CALLS} calls without virtual time passing (a send loop?)`));
      this.tooManyCalls = true;
      return new Promise<Value | null>(() => {});
    }
    return new Promise<Value | null>((resolve) => {
      const call: SentCall = {
        to,
        method,
        args: cloneValue(args),
        at: this.now,
        answered: false,
        answer: async (reply) => {
          if (call.answered) throw new Error("conformance script answered a call twice");
          call.answered = true;
          resolve(reply === null ? null : cloneValue(reply));
          await flush();
          this.rethrow();
        },
      };
      this.calls.push(call);
    });
  }

  /** Delivers an RPC to the peer and returns its reply (a copy, as over the network). */
  async rpc(method: string, args: Value): Promise<Value | null> {
    let reply: Value | null;
    try {
      reply = await this.raft.handleRpc(method, cloneValue(args));
    } catch (e) {
      throw new CaseFailure(`handleRpc(${method}) threw: ${oneLine(e)}`);
    }
    await flush();
    this.rethrow();
    return reply === null || reply === undefined ? null : cloneValue(reply);
  }

  /** Moves virtual time forward by `ms`, firing due timers in order (each followed by its continuations). */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (let fired = 0; ; fired++) {
      if (fired > MAX_TIMERS_PER_ADVANCE) throw new CaseFailure(`the peer fired more than ${MAX_TIMERS_PER_ADVANCE} timers in ${ms} ms`);
      this.timers = this.timers.filter((t) => !t.cancelled && t.incarnation === this.incarnation);
      let next: Timer | undefined;
      for (const t of this.timers) if (t.at <= until && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (next === undefined) break;
      next.cancelled = true;
      this.now = next.at;
      try {
        const r = (next.fn as () => unknown)();
        if (r instanceof Promise) r.catch((e: unknown) => this.errors.push(e));
      } catch (e) {
        throw new CaseFailure(`a timer callback threw: ${oneLine(e)}`);
      }
      await flush();
      this.rethrow();
    }
    this.now = until;
  }

  /** Kills the peer and starts a new incarnation from a copy of what it persisted (the lab's crash and restart). */
  async restart(): Promise<void> {
    this.raft.kill();
    const copy = this.persister.copy();
    this.persister = copy;
    this.restarts++;
    await this.boot();
  }

  /** A separate copy restarted from the persisted state, for probing without disturbing the peer. */
  async restartedCopy(): Promise<ConformPeer> {
    const c = new ConformPeer(this.make, this.n, this.me, this.seed + 7);
    c.persister = this.persister.copy();
    c.now = this.now;
    await c.boot();
    return c;
  }

  kill(): void {
    this.raft.kill();
    this.timers = [];
  }

  state(): { term: number; isLeader: boolean } {
    const s = this.raft.getState();
    return { term: s.term, isLeader: s.isLeader };
  }

  /** Calls sent after position `from` with the given method (optionally to one peer). */
  sent(method: string, from = 0, to?: number): SentCall[] {
    return this.calls.slice(from).filter((c) => c.method === method && (to === undefined || c.to === to));
  }

  private rethrow(): void {
    const e = this.errors.shift();
    if (e instanceof CaseFailure) throw e;
    if (e !== undefined) throw new CaseFailure(`the peer threw asynchronously: ${oneLine(e)}`);
  }
}

export function oneLine(e: unknown): string {
  // Never throws: what the Raft threw may have throwing getters or be a Proxy whose traps throw.
  try {
    const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return s.split("\n")[0] ?? s;
  } catch {
    return describeCrash(e);
  }
}
