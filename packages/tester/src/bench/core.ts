// Figure 2: the CPU cost of one committed command in our Raft core, on a reliable 3-peer and 5-peer
// simulated cluster, tracing off and on, against the echo baseline that only moves the same messages
// through the same simulator and network. tinybench does the repeated sampling: each sample is one
// stream of COMMANDS commands on a fresh cluster (election excluded), reported per command.

import { make, type MakeRaft } from "@raftlab/raft";
import { Bench, type FnReturnedObject } from "tinybench";
import { runCommandStream, SNAPSHOT_EVERY, type StreamResult } from "./cluster.js";
import { makeEcho } from "./echo.js";
import type { Figure, Progress } from "./types.js";

export interface CoreOptions {
  /** Commands per sample (default 500). */
  readonly commands?: number;
  /** tinybench time budget per task, ms (default 1500). */
  readonly timeMs?: number;
  readonly peerCounts?: readonly number[];
}

interface Variant {
  readonly name: string;
  readonly impl: MakeRaft;
  readonly kind: "raft" | "echo";
  readonly peers: number;
  readonly trace: "off" | "built" | "json";
}

export interface CoreRow {
  readonly name: string;
  readonly kind: "raft" | "echo";
  readonly peers: number;
  /** off; built = events built and handed to a counting sink; json = also serialised as JSON lines. */
  readonly trace: "off" | "built" | "json";
  readonly samples: number;
  /** CPU µs per committed command (process.cpuUsage per sample): median over all samples. */
  readonly cpuUsPerCmd: number;
  /** Half the interquartile range of the samples, % of the median. */
  readonly spreadPct: number;
  /** Wall µs per committed command, median (inflated by other load on a shared machine). */
  readonly wallUsPerCmd: number;
  readonly commitsPerSec: number;
  readonly rpcsPerCmd: number;
  readonly bytesPerCmd: number;
  readonly simEventsPerCmd: number;
  readonly traceEventsPerCmd: number;
  readonly traceBytesPerCmd: number;
  /** CPU per command divided by the echo baseline's at the same peer count. */
  readonly vsEcho: number;
}

type Sums = { -readonly [K in Exclude<keyof StreamResult, "wallMs">]: number };

interface Acc {
  phase: "warmup" | "run";
  seed: number;
  samples: number;
  sum: Sums;
  /** Per sample: CPU µs per command (from tinybench's retained samples) and wall µs per command. */
  cpu: number[];
  wall: number[];
}

function emptySum(): Sums {
  return { cpuUs: 0, commands: 0, rpcs: 0, bytes: 0, simEvents: 0, traceEvents: 0, traceBytes: 0 };
}

/** Rounds of the whole task set, each a fresh tinybench run in a rotated order, pooled: a burst of
 * other load on this shared machine then spoils a part of every task's samples, not one whole task. */
const ROUNDS = 3;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** The clusters measured: at each peer count the echo baseline and our Raft with tracing off, built and JSON. */
function coreVariants(peerCounts: readonly number[]): Variant[] {
  const variants: Variant[] = [];
  for (const peers of peerCounts) {
    variants.push({ name: `echo baseline, ${peers} peers`, impl: makeEcho, kind: "echo", peers, trace: "off" });
    variants.push({ name: `raft, ${peers} peers, trace off`, impl: make, kind: "raft", peers, trace: "off" });
    variants.push({ name: `raft, ${peers} peers, trace built`, impl: make, kind: "raft", peers, trace: "built" });
    variants.push({ name: `raft, ${peers} peers, trace JSON`, impl: make, kind: "raft", peers, trace: "json" });
  }
  return variants;
}

/** One round: a fresh tinybench run of every variant, in an order rotated by `round`, pooled into `accs`. */
async function sampleRound(round: number, variants: readonly Variant[], accs: Map<string, Acc>, commands: number, options: CoreOptions): Promise<void> {
  // Each sample's value is the CPU time per committed command (ms), so tinybench's statistics are
  // about exactly the figure reported; wall time per command is kept alongside.
  const bench = new Bench({
    name: `raft core, round ${round + 1}`,
    time: (options.timeMs ?? 1500) / ROUNDS,
    iterations: 5,
    warmupTime: round === 0 ? 300 : 100,
    warmupIterations: 2,
    throws: true,
    retainSamples: true,
  });
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + round) % variants.length] as Variant;
    const acc = accs.get(v.name) as Acc;
    bench.add(
      v.name,
      async (): Promise<FnReturnedObject> => {
        const t = performance.now();
        const r = await runCommandStream({ impl: v.impl, peers: v.peers, commands, seed: acc.seed++, trace: v.trace !== "off", serialise: v.trace === "json" });
        if (acc.phase === "run") {
          acc.samples++;
          for (const key of Object.keys(acc.sum) as (keyof Sums)[]) acc.sum[key] += r[key];
          acc.wall.push((r.wallMs * 1000) / r.commands);
        }
        return { overriddenDuration: r.cpuUs / 1000 / r.commands, overriddenIterationCost: performance.now() - t };
      },
      {
        async: true,
        beforeAll(mode) {
          acc.phase = mode === "run" ? "run" : "warmup";
        },
      },
    );
  }
  await bench.run();
  for (const v of variants) {
    const res = bench.getTask(v.name)?.result;
    if (res === undefined || !("latency" in res) || res.latency.samples === undefined) {
      throw new Error(`core bench: task "${v.name}" did not complete (${res?.state ?? "missing"})`);
    }
    for (const ms of res.latency.samples) (accs.get(v.name) as Acc).cpu.push(ms * 1000);
  }
}

/** The pooled samples of each variant as a row: medians, spread, per-command counts, and the ratio to echo. */
function coreRows(variants: readonly Variant[], accs: ReadonlyMap<string, Acc>): CoreRow[] {
  const raw = variants.map((v) => {
    const acc = accs.get(v.name) as Acc;
    const n = acc.sum.commands;
    const cpu = [...acc.cpu].sort((a, b) => a - b);
    const wall = [...acc.wall].sort((a, b) => a - b);
    const median = quantile(cpu, 0.5);
    return {
      v,
      samples: cpu.length,
      cpuUsPerCmd: median,
      /** Half the interquartile range, as a percentage of the median: the spread of the samples. */
      spreadPct: (100 * (quantile(cpu, 0.75) - quantile(cpu, 0.25))) / 2 / median,
      wallUsPerCmd: quantile(wall, 0.5),
      rpcsPerCmd: acc.sum.rpcs / n,
      bytesPerCmd: acc.sum.bytes / n,
      simEventsPerCmd: acc.sum.simEvents / n,
      traceEventsPerCmd: acc.sum.traceEvents / n,
      traceBytesPerCmd: acc.sum.traceBytes / n,
    };
  });
  return raw.map((r) => {
    const echo = raw.find((e) => e.v.kind === "echo" && e.v.peers === r.v.peers);
    return {
      name: r.v.name,
      kind: r.v.kind,
      peers: r.v.peers,
      trace: r.v.trace,
      samples: r.samples,
      cpuUsPerCmd: r.cpuUsPerCmd,
      spreadPct: r.spreadPct,
      wallUsPerCmd: r.wallUsPerCmd,
      commitsPerSec: 1e6 / r.cpuUsPerCmd,
      rpcsPerCmd: r.rpcsPerCmd,
      bytesPerCmd: r.bytesPerCmd,
      simEventsPerCmd: r.simEventsPerCmd,
      traceEventsPerCmd: r.traceEventsPerCmd,
      traceBytesPerCmd: r.traceBytesPerCmd,
      vsEcho: echo === undefined ? Number.NaN : r.cpuUsPerCmd / echo.cpuUsPerCmd,
    };
  });
}

/** Figure 2 from the rows: the table and the notes that say how it was measured. */
function coreFigure(rows: readonly CoreRow[], commands: number): Figure {
  const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : "-");
  return {
    id: "core",
    title: "2. Raft core: CPU per committed command (reliable simulated cluster)",
    tables: [
      {
        columns: ["cluster", "CPU µs/cmd", "±", "commits/CPU s", "× echo", "wall µs/cmd", "samples", "RPCs/cmd", "bytes/cmd", "trace ev/cmd"],
        rows: rows.map((r) => [
          r.name,
          fmt(r.cpuUsPerCmd),
          `${fmt(r.spreadPct, 0)}%`,
          Math.round(r.commitsPerSec).toLocaleString("en-US"),
          r.kind === "echo" ? "1.00 (floor)" : fmt(r.vsEcho, 2),
          fmt(r.wallUsPerCmd),
          r.samples,
          fmt(r.rpcsPerCmd, 2),
          fmt(r.bytesPerCmd, 0),
          r.trace !== "off" ? fmt(r.traceEventsPerCmd, 1) : "-",
        ]),
      },
    ],
    goals: [],
    notes: [
      `CPU µs/cmd: median over all samples (tinybench, ${ROUNDS} rounds of every cluster in rotated order, pooled); ± is half the interquartile range. Wall time is shown but inflated by other load on a shared machine.`,
      `Each sample: a fresh cluster elects a leader (not timed), then ${commands} commands are committed one at a time at the leader; the service snapshots every ${SNAPSHOT_EVERY}th index from its apply callback (the lab's applierSnap does so every 10th).`,
      "Echo baseline: the same simulator and network, AppendEntries-shaped requests and replies with the leader's flow control (one request in flight per follower, carrying what it lacks), commit on a majority; no log, terms, persistence or Raft rules. RPCs/cmd and bytes/cmd show both move about the same messages.",
      "× echo = CPU per command / echo CPU per command at the same peer count (1.00 would mean Raft costs nothing beyond its messages).",
      "Trace built: the Raft builds every trace event and hands it to a sink that only counts it. Trace JSON: each is also serialised with formatTraceEvent (JSON.stringify), as `raftlab run --trace` does, but written nowhere, so no I/O is timed.",
    ],
    data: { commandsPerSample: commands, rows },
  };
}

export async function measureCore(options: CoreOptions, progress: Progress): Promise<{ rows: CoreRow[]; figure: Figure }> {
  const commands = options.commands ?? 500;
  const variants = coreVariants(options.peerCounts ?? [3, 5]);
  const accs = new Map<string, Acc>(variants.map((v) => [v.name, { phase: "warmup", seed: 1, samples: 0, sum: emptySum(), cpu: [], wall: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    progress(`core: round ${round + 1}/${ROUNDS} (${variants.length} clusters, ${commands} commands a sample)…`);
    await sampleRound(round, variants, accs, commands, options);
  }
  const rows = coreRows(variants, accs);
  return { rows, figure: coreFigure(rows, commands) };
}
