// A 3-peer in-process cluster on the wall clock: it elects a leader, agrees on a few commands, crashes
// a follower, agrees on more without it, restarts it and watches it catch up, then prints a summary.
// The trace goes to stdout: JSON lines (pipe it into logviz) when stdout is not a terminal or with
// --json, a readable dslogs-like form on a terminal or with --pretty.
//
//   node packages/raft/dist/demo.js [--json|--pretty] [--seed N]

import { Cluster } from "./driver/cluster.js";
import { formatTraceEvent, type TraceEvent } from "./trace.js";

const USAGE = "usage: demo.js [--json|--pretty] [--seed N]";

function parseArgs(argv: readonly string[]): { json: boolean; seed: number } {
  let json = !process.stdout.isTTY;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--pretty") json = false;
    else if (a === "--seed") {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v)) usageError(`--seed needs an integer`);
      seed = v;
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else usageError(`unknown argument ${JSON.stringify(a)}`);
  }
  return { json, seed };
}

function usageError(msg: string): never {
  process.stderr.write(`demo: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function pretty(e: TraceEvent): string {
  const t = e.t.toFixed(1).padStart(8);
  const who = e.src < 0 ? "----" : `S${e.src} ${e.state[0]?.toUpperCase() ?? "?"}${e.term}`;
  return `${t} ${e.topic} ${who.padEnd(7)} ${e.msg}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, limitMs: number): Promise<void> {
  const end = performance.now() + limitMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const { json, seed } = parseArgs(process.argv.slice(2));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const say = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = performance.now();
  let events = 0;
  const c = new Cluster({
    n: 3,
    seed,
    snapshotEvery: 5,
    trace: (e) => {
      events++;
      out(json ? formatTraceEvent(e) : pretty(e));
    },
  });

  /** The lab's one(): submit to the leader until the command is applied by `expected` peers. */
  async function one(cmd: string, expected: number): Promise<number> {
    const end = performance.now() + 5_000;
    while (performance.now() < end) {
      const index = c.start(cmd);
      if (index > 0) {
        const until = performance.now() + 1_000;
        while (performance.now() < until) {
          const { count, value } = c.nCommitted(index);
          if (count >= expected && value === cmd) return index;
          await sleep(10);
        }
      } else await sleep(20);
    }
    throw new Error(`no agreement on ${cmd}`);
  }

  let summary = "";
  try {
    c.note("TestBegin", "demo: 3 peers, wall clock");
    await waitFor("a leader", () => c.leader() !== null, 3_000);
    const leader = c.leader() as number;
    for (const cmd of ["x=1", "y=2", "z=3"]) await one(cmd, 3);
    const victim = (leader + 1) % 3;
    c.crash(victim);
    for (const cmd of ["a=4", "b=5", "c=6", "d=7"]) await one(cmd, 2);
    c.restart(victim);
    await waitFor(`S${victim} to catch up`, () => c.lastApplied(victim) >= 7, 3_000);
    await one("e=8", 3);
    c.note("TestEnd", "demo: passed");
    if (c.errors.length > 0) throw new Error(c.errors.join("; "));
    const ms = Math.round(performance.now() - started);
    summary =
      `demo: leader S${c.leader()}, 8 commands agreed, S${victim} crashed, restarted and caught up ` +
      `(applied ${c.lastApplied(victim)}); ${c.rpcCount} RPCs, ${events} trace events, ${ms} ms; ` +
      `raft state sizes ${[0, 1, 2].map((i) => c.persistBytes(i)).join("/")} bytes`;
  } finally {
    c.shutdown();
  }
  say(summary);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
