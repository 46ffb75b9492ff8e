// An in-process cluster of lab-style Rafts: in-memory persisters, in-process ClientEnds with async
// delivery, and disconnect/connect/crash/restart, plus a tiny service that records what each peer
// applied and snapshots every `snapshotEvery` entries from inside its apply callback (as the lab's
// tester does). Used by the demo and the integration tests; the raftlab tester is the full harness.

import type { ApplyMsg, ClientEnd, MakeRaft, RaftPeer, Runtime, Value } from "../api.js";
import { cloneValue, decodeValue, encodeValue } from "../codec.js";
import { createPrng, type Prng } from "../prng.js";
import { HARNESS, type HarnessOp, type TraceSink } from "../trace.js";
import { wallClock, type Clock } from "./clock.js";
import { MemoryPersister } from "./persister.js";
import { make as defaultMake } from "./raft.js";

export interface ClusterOptions {
  readonly n: number;
  /** The Raft to run (default: ours). */
  readonly make?: MakeRaft;
  readonly seed?: number;
  readonly trace?: TraceSink | null;
  /** Default: the wall clock. Pass a VirtualClock for fast deterministic tests. */
  readonly clock?: Clock;
  /** One-way message delay range in ms (default 1..5). */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The service snapshots after every this many applied entries (0 = never; default 0). */
  readonly snapshotEvery?: number;
  /** Drop this fraction of requests, and of replies (after the handler ran), like labrpc (default 0). */
  readonly dropRate?: number;
}

/** What one peer's service has seen. */
interface ServiceState {
  /** committed[i] = the command applied at index i (undefined = not applied). */
  committed: Value[];
  lastApplied: number;
}

export class Cluster {
  readonly n: number;
  readonly clock: Clock;
  /** Errors the appliers found (wrong order, mismatching values); a correct Raft leaves this empty. */
  readonly errors: string[] = [];
  private readonly rafts: (RaftPeer | null)[];
  private readonly persisters: MemoryPersister[];
  private readonly services: ServiceState[];
  private readonly connected: boolean[];
  /** Bumped at each crash: ends of an older incarnation never deliver again. */
  private readonly generation: number[];
  private readonly prng: Prng;
  private readonly make: MakeRaft;
  private readonly trace: TraceSink | null;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly snapshotEvery: number;
  /** Fraction of requests and of replies lost; settable, like labrpc's reliable flag. */
  dropRate: number;
  /** Total RPCs sent. */
  rpcCount = 0;

  constructor(options: ClusterOptions) {
    this.n = options.n;
    this.clock = options.clock ?? wallClock();
    this.prng = createPrng(options.seed ?? 1);
    this.make = options.make ?? defaultMake;
    this.trace = options.trace ?? null;
    this.minDelay = options.minDelayMs ?? 1;
    this.maxDelay = options.maxDelayMs ?? 5;
    this.snapshotEvery = options.snapshotEvery ?? 0;
    this.dropRate = options.dropRate ?? 0;
    this.rafts = new Array<RaftPeer | null>(this.n).fill(null);
    this.persisters = Array.from({ length: this.n }, () => new MemoryPersister());
    this.services = Array.from({ length: this.n }, () => ({ committed: [], lastApplied: 0 }));
    this.connected = new Array<boolean>(this.n).fill(true);
    this.generation = new Array<number>(this.n).fill(0);
    for (let i = 0; i < this.n; i++) this.boot(i);
  }

  raft(i: number): RaftPeer | null {
    return this.rafts[i] ?? null;
  }

  private runtimeFor(): Runtime {
    const rng = this.prng.fork();
    const clock = this.clock;
    return { now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms, fn), random: () => rng.next(), trace: this.trace };
  }

  private delay(): number {
    return this.minDelay + this.prng.int(this.maxDelay - this.minDelay + 1);
  }

  private lost(): boolean {
    return this.dropRate > 0 && this.prng.next() < this.dropRate;
  }

  private endFor(from: number, to: number, gen: number): ClientEnd {
    return {
      call: (method, args, meta) =>
        new Promise<Value | null>((resolve) => {
          this.rpcCount++;
          const alive = (): boolean => this.generation[from] === gen && this.connected[from] === true && this.connected[to] === true && this.rafts[to] !== null;
          const req = cloneValue(args);
          this.clock.setTimer(this.delay(), () => {
            const target = this.rafts[to];
            if (!alive() || target === undefined || target === null || this.lost()) {
              resolve(null);
              return;
            }
            Promise.resolve(target.handleRpc(method, req, meta)).then(
              (reply) => {
                const copy = reply === null ? null : cloneValue(reply);
                const replyLost = this.lost();
                this.clock.setTimer(this.delay(), () => resolve(alive() && !replyLost ? copy : null));
              },
              () => resolve(null),
            );
          });
        }),
    };
  }

  private boot(i: number): void {
    const gen = this.generation[i] as number;
    const ends = Array.from({ length: this.n }, (_, j) => this.endFor(i, j, gen));
    const persister = this.persisters[i] as MemoryPersister;
    const svc: ServiceState = { committed: [], lastApplied: 0 };
    // Like the lab's tester, the service restores itself from the persisted snapshot before Raft runs.
    const snap = persister.readSnapshot();
    if (snap.length > 0) this.ingestSnapshot(i, svc, snap, -1);
    this.services[i] = svc;
    const applyCh = (msg: ApplyMsg): void => this.onApply(i, gen, svc, msg);
    this.rafts[i] = this.make(ends, i, persister, applyCh, this.runtimeFor());
  }

  private ingestSnapshot(i: number, svc: ServiceState, data: Uint8Array, expectIndex: number): void {
    const v = decodeValue(data) as { index: number; log: Value[] };
    if (expectIndex >= 0 && v.index !== expectIndex) this.errors.push(`S${i} snapshot index ${v.index} != ApplyMsg index ${expectIndex}`);
    svc.committed = v.log.slice();
    svc.lastApplied = v.index;
  }

  private onApply(i: number, gen: number, svc: ServiceState, msg: ApplyMsg): void {
    if (this.generation[i] !== gen) {
      this.errors.push(`S${i} (killed) applied after kill`);
      return;
    }
    if (msg.snapshotValid) {
      this.ingestSnapshot(i, svc, msg.snapshot, msg.snapshotIndex);
      return;
    }
    if (msg.commandIndex !== svc.lastApplied + 1) {
      this.errors.push(`S${i} apply out of order: expected ${svc.lastApplied + 1}, got ${msg.commandIndex}`);
      return;
    }
    for (let j = 0; j < this.n; j++) {
      const other = this.services[j]?.committed[msg.commandIndex];
      if (j !== i && other !== undefined && JSON.stringify(other) !== JSON.stringify(msg.command)) {
        this.errors.push(`commit index=${msg.commandIndex} S${i} ${JSON.stringify(msg.command)} != S${j} ${JSON.stringify(other)}`);
      }
    }
    svc.committed[msg.commandIndex] = msg.command;
    svc.lastApplied = msg.commandIndex;
    if (this.snapshotEvery > 0 && msg.commandIndex % this.snapshotEvery === 0) {
      const data = encodeValue({ index: msg.commandIndex, log: Array.from({ length: msg.commandIndex + 1 }, (_, k) => svc.committed[k] ?? null) });
      this.rafts[i]?.snapshot(msg.commandIndex, data);
    }
  }

  /** Emits a harness event (src = HARNESS) about peer i, if tracing. */
  note(op: HarnessOp, msg: string, peer?: number): void {
    if (this.trace === null) return;
    this.trace({ t: this.clock.now(), src: HARNESS, term: -1, state: "none", op, topic: "TEST", msg, ...(peer === undefined ? {} : { peer }) });
  }

  /** Disconnects peer i in both directions. */
  disconnect(i: number): void {
    this.connected[i] = false;
    this.note("Disconnect", `disconnect S${i}`, i);
  }
  connect(i: number): void {
    this.connected[i] = true;
    this.note("Connect", `connect S${i}`, i);
  }
  isConnected(i: number): boolean {
    return this.connected[i] === true;
  }

  /** Kills peer i; its persister is copied so the zombie's writes go nowhere. */
  crash(i: number): void {
    const r = this.rafts[i];
    if (r === null || r === undefined) return;
    this.generation[i] = (this.generation[i] as number) + 1;
    this.persisters[i] = (this.persisters[i] as MemoryPersister).copy();
    this.note("Crash", `crash S${i}`, i);
    r.kill();
    this.rafts[i] = null;
  }

  /** Restarts peer i from its persisted state (crashing it first if it is running). */
  restart(i: number): void {
    this.crash(i);
    this.note("Restart", `restart S${i}`, i);
    this.boot(i);
  }

  /** The unique leader among connected live peers with the highest term, or null. */
  leader(): number | null {
    let best: number | null = null;
    let bestTerm = -1;
    for (let i = 0; i < this.n; i++) {
      const r = this.rafts[i];
      if (r === null || r === undefined || !this.connected[i]) continue;
      const st = r.getState();
      if (st.isLeader && st.term > bestTerm) {
        best = i;
        bestTerm = st.term;
      }
    }
    return best;
  }

  /** How many peers have applied `index`, and the value (if they agree). */
  nCommitted(index: number): { count: number; value: Value | undefined } {
    let count = 0;
    let value: Value | undefined;
    for (const svc of this.services) {
      const c = svc.committed[index];
      if (c !== undefined && svc.lastApplied >= index) {
        count++;
        value = c;
      }
    }
    return { count, value };
  }

  lastApplied(i: number): number {
    return this.services[i]?.lastApplied ?? 0;
  }
  persistBytes(i: number): number {
    return this.persisters[i]?.raftStateSize() ?? 0;
  }

  /** Submits `cmd` to the current leader; returns its index, or -1 if there is no leader. */
  start(cmd: Value): number {
    const l = this.leader();
    if (l === null) return -1;
    const r = this.rafts[l] as RaftPeer;
    const res = r.start(cmd);
    return res.isLeader ? res.index : -1;
  }

  /** Kills every peer. */
  shutdown(): void {
    for (let i = 0; i < this.n; i++) {
      this.generation[i] = (this.generation[i] as number) + 1;
      this.rafts[i]?.kill();
      this.rafts[i] = null;
    }
  }
}
