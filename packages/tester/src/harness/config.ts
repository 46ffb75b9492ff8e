// The cluster under test: a port of 6.5840's config.go (G24) onto the simulator. Server lifecycle
// (start1, crash1, connect, disconnect), the cluster checks the tests use (checkOneLeader, checkTerms,
// checkNoLeader, nCommitted, one, wait), the two appliers with their checks, and the begin/end lines.

import { decodeValue, encodeValue, type ApplyMsg, type RaftPeer, type StartResult, type Value } from "@raftlab/raft";
import { Network, type SimEnd } from "../net/network.js";
import { RpcTracer } from "../net/rpc-trace.js";
import { SimPersister } from "../net/persister.js";
import { DurabilityProbes } from "../invariants/durability-probe.js";
import { probeRestartedVote, votesTwiceInMemory } from "../invariants/vote-probe.js";
import { PeerRuntime } from "../sim/runtime.js";
import type { ConfigHost, ScriptOp } from "./host.js";
import { labRaftStateSize } from "./gob-size.js";
import { emitHarness } from "../net/events.js";
import { formatValue, valueEquals } from "../invariants/values.js";

/** The real clock, taken at load: during a run performance.now may be the virtual one (sim/virtual-globals.ts). */
const wallNow: () => number = performance.now.bind(performance);

/** The tester's own election timeout, used only for its sleeps (test_test.go RaftElectionTimeout). */
export const RAFT_ELECTION_TIMEOUT = 1000;
/** applierSnap snapshots after every SNAPSHOT_INTERVAL-th index. */
export const SNAPSHOT_INTERVAL = 10;
/** snapcommon: the persisted Raft state must stay below this many bytes. */
export const MAX_LOG_SIZE = 2000;

/** One life of a server, from start1 to crash1. Its ends and timers die with it. */
class Incarnation {
  killed = false;
  raft: RaftPeer | null = null;
  constructor(readonly runtime: PeerRuntime) {}
}

export interface PassedStats {
  readonly virtualMs: number;
  readonly peers: number;
  readonly rpcs: number;
  readonly bytes: number;
  readonly cmds: number;
}

export class Config {
  readonly n: number;
  readonly net: Network;
  readonly connected: boolean[];
  /** Each server's committed entries as its applier saw them (config.go `logs`). */
  readonly logs: Map<number, Value>[];
  readonly lastApplied: number[];
  private readonly incarnations: (Incarnation | null)[];
  private readonly ends: (SimEnd[] | null)[];
  private readonly saved: (SimPersister | null)[];
  private readonly snapshotMode: boolean;
  /** Restart probes for currentTerm and log[] (durability-probe.ts). */
  private readonly durability: DurabilityProbes;
  private maxIndex = 0;
  private maxIndex0 = 0;
  private t0 = 0;
  private wall0 = 0;
  private rpcs0 = 0;
  private bytes0 = 0;
  title = "";
  finished = false;

  constructor(
    private readonly t: ConfigHost,
    n: number,
    unreliable: boolean,
    snapshot: boolean,
  ) {
    this.n = n;
    this.snapshotMode = snapshot;
    const checker = t.checker;
    checker.setPeers(n);
    this.durability = new DurabilityProbes(
      t.impl,
      n,
      () => t.sim.now,
      (peer, what, detail, peers, term, index) => checker.failDurability(peer, what, detail, peers, term, index),
    );
    this.net = new Network(t.sim, t.netRand, n, t.trace, {
      onSend: (from, to, method, args) => checker.observeRequest(from, method, args, t.sim.now, to),
      onReply: (from, to, method, reply, args) => checker.observeReply(from, to, reply, t.sim.now, method, args),
      onHandled: (from, to, method, args, reply) => {
        checker.observeHandled(to, from, method, args, reply, t.sim.now);
        if (!checker.failed) this.durability.handled(to, from, method, args, reply);
        if (!checker.failed) this.probeVote(to, from, method, args, reply);
      },
    });
    if (t.trace !== null && t.netTrace) this.net.rpcTracer = new RpcTracer(t.sim, t.trace);
    this.connected = new Array<boolean>(n).fill(false);
    this.logs = Array.from({ length: n }, () => new Map<number, Value>());
    this.lastApplied = new Array<number>(n).fill(0);
    this.incarnations = new Array<Incarnation | null>(n).fill(null);
    this.ends = new Array<SimEnd[] | null>(n).fill(null);
    this.saved = new Array<SimPersister | null>(n).fill(null);
    if (t.schedule !== null) this.net.choices = t.schedule.netChoices(this.net.choices);
    this.setUnreliable(unreliable);
    this.net.longDelays = true;
    // The initial boot is not a step a schedule can leave out.
    for (let i = 0; i < n; i++) this.boot(i);
    for (let i = 0; i < n; i++) this.attach(i);
  }

  // ---- server lifecycle -------------------------------------------------------------------------

  /** The live Raft of server i, or null if it is crashed (config.go `cfg.rafts[i]`). */
  raft(i: number): RaftPeer | null {
    return this.incarnations[i]?.raft ?? null;
  }

  /** Like Go dereferencing cfg.rafts[i]: a crashed server here is a bug in the test. */
  private mustRaft(i: number): RaftPeer {
    const rf = this.raft(i);
    if (rf === null) throw new Error(`test bug: server ${i} is not running`);
    return rf;
  }

  /** rf.Start(cmd), observed by the invariant checker. */
  start(i: number, cmd: Value): StartResult {
    const saves = this.durability.saveCount(i);
    const r = this.mustRaft(i).start(cmd);
    this.t.checker.observeState(i, r.term, r.isLeader);
    if (r.isLeader) {
      this.t.checker.observeStart(i, r.index, r.term);
      if (!this.t.checker.failed) this.durability.started(i, r.index, r.term, this.durability.saveCount(i) !== saves);
    }
    return r;
  }

  /** rf.GetState(), observed by the invariant checker. */
  getState(i: number): { term: number; isLeader: boolean } {
    const s = this.mustRaft(i).getState();
    const bad = badState(s);
    if (bad !== null) this.t.fatal(`server ${i}: ${bad}`);
    this.t.checker.observeState(i, s.term, s.isLeader);
    return s;
  }

  /** After every event of peer i: what it now says it is (Election Safety needs no trace). */
  pollState(i: number): void {
    const rf = this.incarnations[i]?.raft;
    if (rf === null || rf === undefined) return;
    const s = rf.getState();
    const bad = badState(s);
    if (bad !== null) {
      this.t.fail({ kind: "fail", message: `server ${i}: ${bad}` });
      return;
    }
    this.t.checker.observeState(i, s.term, s.isLeader, this.t.sim.now);
    this.durability.polled(i, s.term);
  }

  /** After server `voter` granted `candidate` a vote: would a restarted copy vote again? (vote-probe.ts) */
  private probeVote(voter: number, candidate: number, method: string, args: Value, reply: Value): void {
    if (!/requestvote/i.test(method) || reply === null || typeof reply !== "object" || (reply as { voteGranted?: unknown }).voteGranted !== true) return;
    const saved = this.saved[voter];
    const term = (args as { term?: unknown }).term;
    if (saved === null || saved === undefined || typeof term !== "number") return;
    const probe = probeRestartedVote(this.t.impl, this.n, voter, candidate, saved.copy(), method, args, this.t.sim.now);
    if (probe === null || !probe.granted) return;
    const twice = votesTwiceInMemory(this.t.impl, this.n, voter, candidate, probe.otherCandidate, saved.copy(), method, args, this.t.sim.now);
    this.t.checker.observeRestartedVote(voter, candidate, probe.otherCandidate, term, twice);
  }

  /** Whether the schedule (if any) lets this step happen. */
  private allowed(op: ScriptOp, peer: number, fault: boolean): boolean {
    return this.t.schedule === null || this.t.schedule.gate.allow(op, peer, fault);
  }

  /** Shut a server down but keep its persisted state (config.go crash1). */
  crash1(i: number): void {
    if (this.allowed("crash", i, this.incarnations[i] !== null)) this.shutDown(i);
  }

  private shutDown(i: number): void {
    const wasAlive = this.incarnations[i] !== null;
    this.disconnectEnds(i);
    this.net.deleteServer(i);
    // A fresh persister, in case the old instance keeps writing to its own.
    const saved = this.saved[i];
    if (saved !== null && saved !== undefined) this.saved[i] = saved.copy();
    const inc = this.incarnations[i];
    if (inc !== null && inc !== undefined) {
      inc.killed = true;
      inc.runtime.killed = true;
      this.incarnations[i] = null;
      inc.raft?.kill();
    }
    if (wasAlive && this.t.trace !== null) emitHarness(this.t.trace, this.t.sim.now, "Crash", "TEST", `crash S${i}`, { peer: i });
  }

  /** Start or restart a server (config.go start1): fresh ends, a copy of the persister, Make. */
  start1(i: number): void {
    if (this.allowed("start", i, this.incarnations[i] !== null)) this.boot(i);
  }

  private boot(i: number): void {
    const restart = this.saved[i] !== null;
    this.shutDown(i);
    const runtime = new PeerRuntime(this.t.sim, this.t.peerPrng(i), this.t.trace, i);
    const inc = new Incarnation(runtime);
    // A fresh set of outgoing ends, so the old incarnation's ends can never send again.
    const ends: SimEnd[] = [];
    for (let j = 0; j < this.n; j++) ends.push(this.net.makeEnd(i, j, inc));
    this.ends[i] = ends;
    this.lastApplied[i] = 0;
    const saved = this.saved[i];
    if (saved !== null && saved !== undefined) {
      this.saved[i] = saved.copy();
      const snapshot = saved.readSnapshot();
      if (snapshot.length > 0) {
        // Mimic a KV server that reads its snapshot at boot.
        const err = this.ingestSnap(i, snapshot, -1);
        if (err !== "") this.t.fatal(err);
        this.t.checker.observeRestore(i, this.lastApplied[i] as number);
        this.durability.snapshotted(i, this.lastApplied[i] as number);
      }
    } else {
      this.saved[i] = new SimPersister();
    }
    const persister = this.saved[i] as SimPersister;
    this.durability.track(i, persister);
    const applyCh = this.snapshotMode ? (m: ApplyMsg): void => this.applierSnap(inc, i, m) : (m: ApplyMsg): void => this.applier(inc, i, m);
    // The initial start of each server is not a restart (docs/trace-format.md: Restart = from persisted state).
    if (restart && this.t.trace !== null) emitHarness(this.t.trace, this.t.sim.now, "Restart", "TEST", `restart S${i}`, { peer: i });
    this.t.checker.observeRestart(i);
    const rf = this.t.impl(ends, i, persister, applyCh, runtime);
    checkRaftShape(rf, i);
    inc.raft = rf;
    this.incarnations[i] = inc;
    this.net.addServer(i, rf);
  }

  /** Attach server i to the net (config.go connect). */
  connect(i: number): void {
    if (this.allowed("connect", i, false)) this.attach(i);
  }

  private attach(i: number): void {
    this.connected[i] = true;
    const mine = this.ends[i];
    for (let j = 0; j < this.n; j++) {
      if (!this.connected[j]) continue;
      const out = mine?.[j];
      if (out !== undefined) out.enabled = true;
      const inc = this.ends[j]?.[i];
      if (inc !== undefined) inc.enabled = true;
    }
    if (this.t.trace !== null) emitHarness(this.t.trace, this.t.sim.now, "Connect", "TEST", `connect S${i}`, { peer: i });
  }

  /** Detach server i from the net (config.go disconnect). */
  disconnect(i: number): void {
    if (!this.allowed("disconnect", i, this.connected[i] === true)) return;
    this.disconnectEnds(i);
    if (this.t.trace !== null) emitHarness(this.t.trace, this.t.sim.now, "Disconnect", "TEST", `disconnect S${i}`, { peer: i });
  }

  private disconnectEnds(i: number): void {
    this.connected[i] = false;
    for (let j = 0; j < this.n; j++) {
      const out = this.ends[i]?.[j];
      if (out !== undefined) out.enabled = false;
      const inc = this.ends[j]?.[i];
      if (inc !== undefined) inc.enabled = false;
    }
  }

  setUnreliable(unreliable: boolean): void {
    // A left-out fault leaves the network reliable.
    if (!this.allowed("unreliable", -1, unreliable)) unreliable = false;
    this.net.reliable = !unreliable;
    if (this.t.trace !== null) {
      emitHarness(this.t.trace, this.t.sim.now, unreliable ? "NetUnreliable" : "NetReliable", "TEST", unreliable ? "network unreliable" : "network reliable");
    }
  }

  setLongReordering(on: boolean): void {
    if (!this.allowed("reordering", -1, on)) on = false;
    this.net.longReordering = on;
    if (this.t.trace !== null) emitHarness(this.t.trace, this.t.sim.now, "LongReordering", "TEST", `long reordering ${on ? "on" : "off"}`);
  }

  rpcCount(i: number): number {
    return this.net.getCount(i);
  }
  rpcTotal(): number {
    return this.net.totalRpcs;
  }
  bytesTotal(): number {
    return this.net.totalBytes;
  }

  /**
   * Maximum persisted Raft state size over all servers, as the lab's gob would measure it for our own
   * layout (harness/gob-size.ts), the bytes themselves for any other Raft's.
   */
  logSize(): number {
    let size = 0;
    for (const p of this.saved) {
      if (p === null) continue;
      const s = labRaftStateSize(p.readRaftState(), this.n);
      if (s > size) size = s;
    }
    return size;
  }

  /** Kill every live server (config.go cleanup). */
  cleanup(): void {
    this.finished = true;
    this.t.checker.flush();
    for (const inc of this.incarnations) {
      if (inc === null) continue;
      inc.killed = true;
      inc.runtime.killed = true;
      inc.raft?.kill();
    }
  }

  // ---- appliers -------------------------------------------------------------------------------

  private checkLogs(i: number, index: number, v: Value): [string, boolean] {
    let err = "";
    for (let j = 0; j < this.logs.length; j++) {
      const old = (this.logs[j] as Map<number, Value>).get(index);
      if (old !== undefined && !valueEquals(old, v)) {
        // Some server has already committed a different value for this entry!
        err = `commit index=${index} server=${i} ${formatValue(v)} != server=${j} ${formatValue(old)}`;
      }
    }
    const log = this.logs[i] as Map<number, Value>;
    const prevok = log.has(index - 1);
    log.set(index, v);
    if (index > this.maxIndex) this.maxIndex = index;
    return [err, prevok];
  }

  private applyError(message: string): void {
    this.t.fail({ kind: "fail", message: `apply error: ${message}` });
  }

  /** An ApplyMsg is a command or a snapshot, never both (the lab's applyCh contract). */
  private bothKinds(i: number, m: ApplyMsg): boolean {
    // The type says it cannot happen; the Raft under test is plain JavaScript.
    const raw = m as { commandValid?: unknown; snapshotValid?: unknown; commandIndex?: unknown; snapshotIndex?: unknown };
    if (raw.commandValid !== true || raw.snapshotValid !== true) return false;
    this.applyError(
      `server ${i} sent an ApplyMsg with both commandValid and snapshotValid set (commandIndex ${String(raw.commandIndex)}, snapshotIndex ${String(raw.snapshotIndex)})`,
    );
    return true;
  }

  private validCommand(i: number, m: ApplyMsg): boolean {
    if (m.commandValid && Number.isSafeInteger(m.commandIndex) && m.commandIndex >= 1 && m.command !== undefined) return true;
    this.applyError(`server ${i} sent a malformed ApplyMsg (commandIndex ${String((m as { commandIndex?: unknown }).commandIndex)})`);
    return false;
  }

  /** config.go applier: checks each committed command against every other server's. */
  private applier(inc: Incarnation, i: number, m: ApplyMsg): void {
    if (inc.killed || this.t.sim.stopped) return;
    if (this.bothKinds(i, m)) return;
    if (!m.commandValid) return; // Other kinds of ApplyMsg are ignored.
    if (!this.validCommand(i, m)) return;
    this.t.checker.observeApply(i, m.commandIndex, m.command);
    if (this.t.checker.failed || this.t.checker.holding) return;
    const [checked, prevok] = this.checkLogs(i, m.commandIndex, m.command);
    const err = m.commandIndex > 1 && !prevok ? `server ${i} apply out of order ${m.commandIndex}` : checked;
    if (err !== "") this.applyError(err);
  }

  /** config.go applierSnap: also checks order strictly and snapshots every 10th index, re-entrantly. */
  private applierSnap(inc: Incarnation, i: number, m: ApplyMsg): void {
    if (inc.killed || this.t.sim.stopped) return;
    if (this.bothKinds(i, m)) return;
    let err = "";
    if (m.snapshotValid) {
      this.t.checker.observeSnapshotApply(i, m.snapshotIndex, this.lastApplied[i] as number);
      if (this.t.checker.failed) return;
      this.durability.snapshotted(i, m.snapshotIndex);
      err = this.ingestSnap(i, m.snapshot, m.snapshotIndex);
    } else if (m.commandValid) {
      if (!this.validCommand(i, m)) return;
      const index = m.commandIndex;
      if (index !== (this.lastApplied[i] as number) + 1) {
        err = `server ${i} apply out of order, expected index ${(this.lastApplied[i] as number) + 1}, got ${index}`;
      }
      if (err === "") {
        this.t.checker.observeApply(i, index, m.command);
        if (this.t.checker.failed || this.t.checker.holding) return;
        let prevok: boolean;
        [err, prevok] = this.checkLogs(i, index, m.command);
        if (index > 1 && !prevok) err = `server ${i} apply out of order ${index}`;
      }
      this.lastApplied[i] = index;
      if (err === "" && (index + 1) % SNAPSHOT_INTERVAL === 0) {
        const log = this.logs[i] as Map<number, Value>;
        const xlog: Value[] = [];
        for (let j = 0; j <= index; j++) xlog.push(log.get(j) ?? null);
        this.t.checker.observeSnapshot(i, index);
        this.durability.snapshotted(i, index);
        inc.raft?.snapshot(index, encodeValue([index, xlog]));
      }
    }
    if (err !== "") this.applyError(err);
  }

  /** Install a snapshot made by applierSnap: [lastIncludedIndex, xlog]. Returns "" or an error. */
  private ingestSnap(i: number, snapshot: Uint8Array, index: number): string {
    let decoded: Value;
    try {
      decoded = decodeValue(snapshot);
    } catch {
      return "snapshot Decode() error";
    }
    if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== "number" || !Array.isArray(decoded[1])) {
      return "snapshot Decode() error";
    }
    const lastIncludedIndex = decoded[0] as number;
    const xlog = decoded[1] as readonly Value[];
    if (index !== -1 && index !== lastIncludedIndex) return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    const log = new Map<number, Value>();
    for (let j = 0; j < xlog.length; j++) log.set(j, xlog[j] as Value);
    this.logs[i] = log;
    this.lastApplied[i] = lastIncludedIndex;
    return "";
  }

  // ---- cluster checks -------------------------------------------------------------------------

  /** One connected server claims leadership and no two in one term; retries for ~5 s. */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await this.t.sleep(450 + this.t.rand.int(100));
      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        if (!this.connected[i]) continue;
        const { term, isLeader } = this.getState(i);
        if (isLeader) {
          const list = leaders.get(term);
          if (list === undefined) leaders.set(term, [i]);
          else list.push(i);
        }
      }
      let lastTermWithLeader = -1;
      for (const term of [...leaders.keys()].sort((a, b) => a - b)) {
        const list = leaders.get(term) as number[];
        if (list.length > 1) this.t.fatal(`term ${term} has ${list.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size !== 0) return (leaders.get(lastTermWithLeader) as number[])[0] as number;
    }
    this.t.fatal("expected one leader, got none");
  }

  /** Every connected server reports the same term. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      const xterm = this.getState(i).term;
      if (term === -1) term = xterm;
      else if (term !== xterm) this.t.fatal("servers disagree on term");
    }
    return term;
  }

  /** No connected server thinks it is the leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      if (this.getState(i).isLeader) this.t.fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
    }
  }

  /** How many servers think the entry at `index` is committed, and its value. */
  nCommitted(index: number): [number, Value | undefined] {
    let count = 0;
    let cmd: Value | undefined = undefined;
    for (let i = 0; i < this.n; i++) {
      const cmd1 = (this.logs[i] as Map<number, Value>).get(index);
      if (cmd1 === undefined) continue;
      if (count > 0 && !valueEquals(cmd, cmd1)) {
        this.t.fatal(`committed values do not match: index ${index}, ${formatValue(cmd)}, ${formatValue(cmd1)}`);
      }
      count++;
      cmd = cmd1;
    }
    return [count, cmd];
  }

  /**
   * Waits for at least n servers to commit `index`, but not forever. Returns the value, or -1 if a
   * server moved past `startTerm` (when startTerm >= 0).
   */
  async wait(index: number, n: number, startTerm: number): Promise<Value | undefined> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      const [nd] = this.nCommitted(index);
      if (nd >= n) break;
      await this.t.sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (let i = 0; i < this.n; i++) {
          if (this.raft(i) !== null && this.getState(i).term > startTerm) return -1; // Someone has moved on.
        }
      }
    }
    const [nd, cmd] = this.nCommitted(index);
    if (nd < n) this.t.fatal(`only ${nd} decided for index ${index}; wanted ${n}`);
    return cmd;
  }

  /**
   * A complete agreement: submit cmd to whichever connected server accepts it, then wait for
   * `expectedServers` to commit it there. Gives up after about 10 s. With retry=false, Start() is
   * called only once. Returns the index.
   */
  async one(cmd: Value, expectedServers: number, retry: boolean): Promise<number> {
    const sim = this.t.sim;
    const t0 = sim.now;
    let starts = 0;
    while (sim.now - t0 < 10_000 && !this.finished) {
      // Try all the servers; maybe one is the leader.
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        if (this.connected[starts] && this.raft(starts) !== null) {
          const r = this.start(starts, cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        // Somebody claimed to be the leader and to have submitted our command; wait a while.
        const t1 = sim.now;
        while (sim.now - t1 < 2000) {
          const [nd, cmd1] = this.nCommitted(index);
          if (nd > 0 && nd >= expectedServers && valueEquals(cmd1, cmd)) return index;
          await this.t.sleep(20);
        }
        if (!retry) this.t.fatal(`one(${formatValue(cmd)}) failed to reach agreement`);
      } else {
        await this.t.sleep(50);
      }
    }
    this.t.fatal(`one(${formatValue(cmd)}) failed to reach agreement`);
  }

  // ---- begin / end ----------------------------------------------------------------------------

  begin(description: string): void {
    this.title = description;
    this.t.print(`${description} ...`);
    this.t0 = this.t.sim.now;
    this.wall0 = wallNow();
    this.rpcs0 = this.rpcTotal();
    this.bytes0 = this.bytesTotal();
    this.maxIndex0 = this.maxIndex;
  }

  /** The numbers of the Passed line, from begin() until now. */
  stats(): PassedStats {
    return {
      virtualMs: this.t.sim.now - this.t0,
      peers: this.n,
      rpcs: this.rpcTotal() - this.rpcs0,
      bytes: this.bytesTotal() - this.bytes0,
      cmds: this.maxIndex - this.maxIndex0,
    };
  }

  end(): void {
    const s = this.stats();
    const wall = Math.round(wallNow() - this.wall0);
    const secs = (s.virtualMs / 1000).toFixed(1).padStart(4);
    this.t.print(
      `  ... Passed --  ${secs}  ${s.peers} ${String(s.rpcs).padStart(4)} ${String(s.bytes).padStart(7)} ${String(s.cmds).padStart(4)}  ${String(wall).padStart(5)}ms wall`,
    );
  }
}

function checkRaftShape(rf: unknown, i: number): asserts rf is RaftPeer {
  const methods = ["start", "getState", "kill", "snapshot", "handleRpc"] as const;
  if (rf === null || typeof rf !== "object") throw new TypeError(`make() for server ${i} returned ${String(rf)}, not a Raft peer`);
  for (const m of methods) {
    if (typeof (rf as Record<string, unknown>)[m] !== "function") {
      throw new TypeError(`make() for server ${i} returned an object without a ${m}() method`);
    }
  }
}

/**
 * What is wrong with a getState() result, in words naming the Raft's value, or null when it is a
 * state: a non-negative integer term and a boolean isLeader.
 */
function badState(s: unknown): string | null {
  if (s === null || typeof s !== "object") return `getState() returned ${typeof s === "string" ? JSON.stringify(s) : String(s)}, not { term, isLeader }`;
  const { term, isLeader } = s as { term?: unknown; isLeader?: unknown };
  if (typeof term !== "number" || !Number.isSafeInteger(term) || term < 0)
    return `getState() returned term ${typeof term === "string" ? JSON.stringify(term) : String(term)}; a term is a non-negative integer`;
  if (typeof isLeader !== "boolean")
    return `getState() returned isLeader ${typeof isLeader === "string" ? JSON.stringify(isLeader) : String(isLeader)}; isLeader is a boolean`;
  return null;
}
