// The driver: adapts the pure core to the lab-style API (api.ts). It feeds the core one input at a
// time and carries out the effects in order: persist, then sends (each reply is fed back in as an
// input), then applies through a single in-order applier. One timer, set at the core's wakeAt.

import type {
  ApplyCh,
  ApplyMsg,
  CancelTimer,
  ClientEnd,
  Command,
  MakeRaft,
  Persister,
  RaftPeer,
  RaftState,
  RpcMeta,
  Runtime,
  StartResult,
  Value,
} from "../api.js";
import { RaftCore } from "../core/node.js";
import type { OutRequest } from "../core/messages.js";
import type { CoreConfig, Input, StepOutput } from "../core/types.js";
import type { TraceSink } from "../trace.js";

/**
 * Timing and bounds. Defaults: 100 ms heartbeats (the lab's limit of 10 per second per peer) and
 * election timeouts drawn from [300, 600) ms: well above the heartbeat so a live leader is never
 * deposed by one late heartbeat, a spread wide enough that split votes are rare, and short enough that a
 * new leader is elected well within the lab's 5 s after a failure.
 */
export interface MakeRaftOptions {
  readonly electionTimeoutMinMs?: number;
  readonly electionTimeoutMaxMs?: number;
  readonly heartbeatMs?: number;
  readonly maxEntriesPerAppend?: number;
  readonly maxBytesPerAppend?: number;
  readonly maxAppliesPerStep?: number;
}

export const DEFAULT_TIMING = {
  electionTimeoutMinMs: 300,
  electionTimeoutMaxMs: 600,
  heartbeatMs: 100,
  maxEntriesPerAppend: 256,
  maxBytesPerAppend: 64 * 1024,
  maxAppliesPerStep: 1024,
} as const;

function checkOptions(o: MakeRaftOptions): void {
  const pos = (name: keyof MakeRaftOptions): void => {
    const v = o[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v <= 0)) {
      throw new RangeError(`makeRaft option ${name} must be a positive integer, got ${String(v)}`);
    }
  };
  const positive = ["electionTimeoutMinMs", "electionTimeoutMaxMs", "heartbeatMs", "maxEntriesPerAppend", "maxBytesPerAppend", "maxAppliesPerStep"] as const;
  for (const k of positive) pos(k);
  const lo = o.electionTimeoutMinMs ?? DEFAULT_TIMING.electionTimeoutMinMs;
  const hi = o.electionTimeoutMaxMs ?? DEFAULT_TIMING.electionTimeoutMaxMs;
  if (hi <= lo) throw new RangeError(`electionTimeoutMaxMs (${hi}) must exceed electionTimeoutMinMs (${lo})`);
}

/** Builds a `make` with the given timing and bounds. */
export function makeRaft(options: MakeRaftOptions = {}): MakeRaft {
  checkOptions(options);
  return (peers, me, persister, applyCh, runtime) => {
    const cfg: CoreConfig = {
      me,
      peerCount: peers.length,
      electionTimeoutMinMs: options.electionTimeoutMinMs ?? DEFAULT_TIMING.electionTimeoutMinMs,
      electionTimeoutMaxMs: options.electionTimeoutMaxMs ?? DEFAULT_TIMING.electionTimeoutMaxMs,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_TIMING.heartbeatMs,
      maxEntriesPerAppend: options.maxEntriesPerAppend ?? DEFAULT_TIMING.maxEntriesPerAppend,
      maxBytesPerAppend: options.maxBytesPerAppend ?? DEFAULT_TIMING.maxBytesPerAppend,
      maxAppliesPerStep: options.maxAppliesPerStep ?? DEFAULT_TIMING.maxAppliesPerStep,
      tracing: runtime.trace !== null,
    };
    return new RaftDriver(cfg, peers, persister, applyCh, runtime);
  };
}

/** Our Raft, as the lab-style `make`. */
export const make: MakeRaft = makeRaft({});

class RaftDriver implements RaftPeer {
  private readonly core: RaftCore;
  private dead = false;
  private timerAt: number | null = null;
  private cancelTimer: CancelTimer | null = null;
  /** ApplyMsgs waiting for the applier; bounded by the core's per-step apply limit times nesting. */
  private applyQueue: ApplyMsg[] = [];
  private applyHead = 0;
  private applying = false;
  private readonly sink: TraceSink | null;

  constructor(
    cfg: CoreConfig,
    private readonly peers: readonly ClientEnd[],
    private readonly persister: Persister,
    private readonly applyCh: ApplyCh,
    private readonly runtime: Runtime,
  ) {
    if (cfg.me < 0 || cfg.me >= peers.length || !Number.isInteger(cfg.me)) {
      throw new RangeError(`make: me=${cfg.me} is not an index into ${peers.length} peers`);
    }
    this.sink = runtime.trace;
    const rng = { next: () => runtime.random() };
    const { core, output } = RaftCore.boot(cfg, rng, { raftState: persister.readRaftState(), snapshot: persister.readSnapshot() }, runtime.now());
    this.core = core;
    this.execute(output);
  }

  private run(input: Input): StepOutput | null {
    if (this.dead) return null;
    const out = this.core.step(input);
    this.execute(out);
    return out;
  }

  /** Carries out one step's effects, in order. */
  private execute(out: StepOutput): void {
    if (this.sink !== null) for (const ev of out.trace) this.sink(ev);
    if (out.persist !== null) this.persister.save(out.persist.state, out.persist.snapshot);
    for (const req of out.send) this.send(req);
    this.schedule(out.wakeAt);
    if (out.apply.length > 0) {
      for (const m of out.apply) this.applyQueue.push(m);
      this.drainApplies();
    }
  }

  private send(req: OutRequest): void {
    const end = this.peers[req.to];
    if (end === undefined) return;
    end.call(req.method, req.args, { id: req.id }).then(
      (reply) => this.onReply(req, reply),
      () => this.onReply(req, null),
    );
  }

  private onReply(request: OutRequest, reply: Value | null): void {
    // A zombie (killed instance) ignores late replies: run() checks `dead`.
    this.run({ kind: "reply", now: this.runtime.now(), request, reply });
  }

  /**
   * Keeps one timer. A later wakeAt keeps the earlier timer (an early tick is harmless and costs less
   * than cancelling and re-arming on every heartbeat received).
   */
  private schedule(wakeAt: number): void {
    if (this.dead) return;
    if (this.timerAt !== null && this.timerAt <= wakeAt) return;
    this.cancelTimer?.();
    this.timerAt = wakeAt;
    const delay = Math.max(0, wakeAt - this.runtime.now());
    this.cancelTimer = this.runtime.setTimer(delay, () => {
      this.timerAt = null;
      this.cancelTimer = null;
      this.run({ kind: "tick", now: this.runtime.now() });
    });
  }

  /**
   * The single applier. The service may call snapshot() or start() from inside applyCh: those steps
   * run at once (the core is not mid-step), and any ApplyMsgs they produce join the end of the queue
   * instead of being delivered recursively, so order is kept and nothing is lost.
   */
  private drainApplies(): void {
    if (this.applying) return;
    this.applying = true;
    try {
      while (!this.dead && this.applyHead < this.applyQueue.length) {
        const msg = this.applyQueue[this.applyHead++] as ApplyMsg;
        this.applyCh(msg);
      }
    } finally {
      this.applying = false;
      if (this.applyHead >= this.applyQueue.length) {
        this.applyQueue = [];
        this.applyHead = 0;
      }
    }
  }

  handleRpc(method: string, args: Value, meta?: RpcMeta): Value {
    const input: Input =
      meta?.id === undefined
        ? { kind: "request", now: this.runtime.now(), method, args }
        : { kind: "request", now: this.runtime.now(), method, args, id: meta.id };
    const out = this.run(input);
    return out === null ? null : out.reply;
  }

  start(command: Command): StartResult {
    const out = this.run({ kind: "start", now: this.runtime.now(), command });
    return out?.start ?? { index: -1, term: this.core.term, isLeader: false };
  }

  getState(): RaftState {
    return { term: this.core.term, isLeader: !this.dead && this.core.isLeader };
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = null;
    this.applyQueue = [];
    this.applyHead = 0;
    if (this.sink !== null) {
      this.sink({
        t: this.runtime.now(),
        src: this.core.me,
        term: this.core.term,
        state: this.core.role,
        op: "Kill",
        topic: "INFO",
        msg: `S${this.core.me} killed`,
      });
    }
  }

  snapshot(index: number, snapshot: Uint8Array): void {
    // The core keeps (and checksums once) the bytes it is given: a copy, so a service that reuses its
    // array cannot change a snapshot already taken.
    const data = snapshot instanceof Uint8Array ? snapshot.slice() : snapshot;
    this.run({ kind: "snapshot", now: this.runtime.now(), index, data });
  }

  persistBytes(): number {
    return this.persister.raftStateSize();
  }
}
