// A reliable, fault-free simulated cluster that commits a stream of commands, for figure 2. It uses
// the tester's own simulator, network and persister (no invariant checker, no lab test), so what it
// measures is the Raft (or the echo baseline) plus the cost of moving its messages.
//
// The stream is closed-loop with one command in flight: the next command is started (as a separate
// simulator event) when the leader applies the previous one. On the reliable network nothing is
// delayed, so the whole stream happens at one virtual instant: no heartbeats or elections interleave,
// and every message counted belongs to a replication round. The clock stops 1 virtual ms after the
// last commit, when every follower has caught up (still before any heartbeat is due). Like the lab's applierSnap, the service
// snapshots from inside its apply callback (every SNAPSHOT_EVERY-th index, a tiny snapshot), which
// keeps the log, and so each persist, short.

import { createPrng, encodeValue, formatTraceEvent, type ApplyMsg, type MakeRaft, type RaftPeer, type TraceSink } from "@raftlab/raft";
import { Network, type SimEnd } from "../net/network.js";
import { SimPersister } from "../net/persister.js";
import { PeerRuntime } from "../sim/runtime.js";
import { Simulator } from "../sim/simulator.js";

export interface StreamOptions {
  readonly impl: MakeRaft;
  readonly peers: number;
  readonly commands: number;
  readonly seed: number;
  /** Trace on: every event is built and serialised as a JSON line (then dropped, so no I/O is timed). */
  readonly trace: boolean;
  /** With trace on, false only counts the events (what building them costs, without JSON). */
  readonly serialise?: boolean;
}

export interface StreamResult {
  /** Wall and CPU time from the first start() to the leader applying the last command. */
  readonly wallMs: number;
  readonly cpuUs: number;
  readonly commands: number;
  readonly rpcs: number;
  readonly bytes: number;
  readonly simEvents: number;
  readonly traceEvents: number;
  readonly traceBytes: number;
}

/**
 * The service snapshots every SNAPSHOT_EVERY-th index. The lab's applierSnap uses 10, a stress setting:
 * in a closed loop the follower that answers second lags by an entry or two, and a snapshot every 10
 * indices keeps overtaking it, so a tenth of its catch-ups become InstallSnapshots. 100 keeps those
 * rare (about 1%) and still bounds the log, and so the cost of each whole-state persist.
 */
export const SNAPSHOT_EVERY = 100;
/** Virtual time allowed to elect the first leader. */
const ELECTION_LIMIT_MS = 10_000;
const PROBE_MS = 10;

/** What the trace sink has seen: events, and the bytes of their JSON lines (when serialised). */
interface TraceCount {
  events: number;
  bytes: number;
}

/** The trace sink the options ask for (none, counting only, or serialising each event and dropping it). */
function countingSink(o: StreamOptions, count: TraceCount): TraceSink | null {
  if (!o.trace) return null;
  if (o.serialise === false) {
    return () => {
      count.events++;
    };
  }
  return (ev) => {
    count.events++;
    count.bytes += formatTraceEvent(ev).length + 1;
  };
}

/** The counters when the measured stream starts, so the result holds only the stream's share. */
interface Baseline {
  readonly t0: number;
  readonly cpu0: NodeJS.CpuUsage;
  readonly rpcs: number;
  readonly bytes: number;
  readonly simEvents: number;
  readonly traceEvents: number;
  readonly traceBytes: number;
}

function baselineNow(sim: Simulator, net: Network, count: TraceCount): Baseline {
  return {
    t0: performance.now(),
    cpu0: process.cpuUsage(),
    rpcs: net.totalRpcs,
    bytes: net.totalBytes,
    simEvents: sim.eventsRun,
    traceEvents: count.events,
    traceBytes: count.bytes,
  };
}

function measuredSince(b: Baseline, sim: Simulator, net: Network, count: TraceCount, committed: number): StreamResult {
  const cpu = process.cpuUsage(b.cpu0);
  return {
    wallMs: performance.now() - b.t0,
    cpuUs: cpu.user + cpu.system,
    commands: committed,
    rpcs: net.totalRpcs - b.rpcs,
    bytes: net.totalBytes - b.bytes,
    simEvents: sim.eventsRun - b.simEvents,
    traceEvents: count.events - b.traceEvents,
    traceBytes: count.bytes - b.traceBytes,
  };
}

/** Makes the peers, each with an end to every peer (all enabled), into `rafts`; `applyOf(i)` is peer i's apply callback. */
function startPeers(
  o: StreamOptions,
  sim: Simulator,
  net: Network,
  root: ReturnType<typeof createPrng>,
  sink: TraceSink | null,
  applyOf: (me: number) => (m: ApplyMsg) => void,
  rafts: RaftPeer[],
): void {
  const owner = { killed: false };
  for (let i = 0; i < o.peers; i++) {
    const mine: SimEnd[] = [];
    for (let j = 0; j < o.peers; j++) {
      const end = net.makeEnd(i, j, owner);
      end.enabled = true;
      mine.push(end);
    }
    const runtime = new PeerRuntime(sim, root.fork(), sink, i);
    const rf = o.impl(mine, i, new SimPersister(), applyOf(i), runtime);
    rafts.push(rf);
    net.addServer(i, rf);
  }
}

export async function runCommandStream(o: StreamOptions): Promise<StreamResult> {
  if (!Number.isInteger(o.commands) || o.commands < 1) throw new RangeError(`commands must be a positive integer, got ${o.commands}`);
  const root = createPrng(o.seed);
  const sim = new Simulator({ prng: root.fork(), limitMs: ELECTION_LIMIT_MS + 1000, maxEvents: 200 * o.commands * o.peers + 1_000_000 });
  const count: TraceCount = { events: 0, bytes: 0 };
  const sink = countingSink(o, count);
  const net = new Network(sim, root.fork(), o.peers, sink);
  const rafts: RaftPeer[] = [];
  const snapshotBytes = encodeValue([0]);

  let leader = -1;
  let started = 0;
  let committed = 0;
  let baseline: Baseline | null = null;
  let result: StreamResult | null = null;

  const finish = (): void => {
    result = measuredSince(baseline as Baseline, sim, net, count, committed);
    sim.stop();
  };

  const startNext = (): void => {
    const rf = rafts[leader] as RaftPeer;
    const r = rf.start(100 + started);
    if (!r.isLeader) throw new Error(`bench cluster: S${leader} lost leadership during a fault-free stream`);
    started++;
  };

  const applyOf =
    (me: number) =>
    (m: ApplyMsg): void => {
      if (!m.commandValid) return;
      if ((m.commandIndex + 1) % SNAPSHOT_EVERY === 0) rafts[me]?.snapshot(m.commandIndex, snapshotBytes);
      if (me !== leader || started === 0) return;
      committed++;
      if (committed < o.commands) {
        sim.schedule(0, startNext);
        return;
      }
      // The last command is committed; let the messages of this instant (the lagging follower's
      // catch-up) finish, so every follower holds every command when the clock stops.
      sim.schedule(1, finish);
    };
  startPeers(o, sim, net, root, sink, applyOf, rafts);

  // The harness polls for a leader, then starts the stream (the measured part).
  const probe = (): void => {
    for (let i = 0; i < o.peers; i++) {
      if (rafts[i]?.getState().isLeader === true) {
        leader = i;
        baseline = baselineNow(sim, net, count);
        startNext();
        return;
      }
    }
    if (sim.now < ELECTION_LIMIT_MS) sim.schedule(PROBE_MS, probe);
  };
  sim.schedule(PROBE_MS, probe);
  sim.onError = (err) => {
    sim.stop();
    throw err;
  };
  const why = await sim.run();
  if (result === null) {
    throw new Error(
      `bench cluster (${o.peers} peers, seed ${o.seed}): ${leader < 0 ? "no leader elected" : `stream stalled after ${committed}/${o.commands} commits`} (simulator: ${why})`,
    );
  }
  return result;
}
