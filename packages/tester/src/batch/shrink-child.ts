// The isolated child of `raftlab batch --shrink` (node batch/shrink-child.js, started by
// shrink-groups.ts through isolation/supervisor.ts): reads its job and the channel's secret, freezes
// the intrinsics, loads the Raft under test, shrinks one failure group's example with src/shrink/ and
// sends the progress, the shrunk schedule, the shrunk run's trace and the numbers over the
// authenticated channel. It writes no file: the batch checks what it sends and writes the artifacts.
// What the code under test prints stays on this process's stdout and stderr, which the batch discards.

import { formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { openChildChannel } from "../isolation/channel.js";
import { freezeIntrinsics } from "../isolation/freeze.js";
import { loadImpl, runTest } from "../runner.js";
import { ScheduleSession } from "../schedule/session.js";
import { shrinkRun } from "../shrink/shrink.js";
import type { Schedule } from "../schedule/format.js";
import { MAX_FAULTS_LISTED } from "../runs/shrunk.js";
import type { ShrinkChildMessage, ShrinkDone, ShrinkJob } from "./shrink-protocol.js";

/** Trace text sent in one message. */
const TRACE_CHUNK_BYTES = 65536;

const { job, send: sendRaw } = openChildChannel<ShrinkJob>();
const send = (m: ShrinkChildMessage): void => sendRaw(m);
freezeIntrinsics();

/** Runs the shrunk schedule once more, traced, and sends its trace (up to the cap) in chunks. */
async function sendShrunkTrace(schedule: Schedule, impl: MakeRaft | undefined): Promise<boolean> {
  let chunk: string[] = [];
  let chunkBytes = 0;
  let bytes = 0;
  let truncated = false;
  const flush = (): void => {
    if (chunk.length > 0) send({ t: "trace", text: chunk.join("") });
    chunk = [];
    chunkBytes = 0;
  };
  const sink = (e: TraceEvent): void => {
    if (truncated) return;
    const line = `${formatTraceEvent(e)}\n`;
    const size = Buffer.byteLength(line);
    if (bytes + size > job.traceCapBytes) {
      truncated = true;
      return;
    }
    bytes += size;
    chunk.push(line);
    chunkBytes += size;
    if (chunkBytes >= TRACE_CHUNK_BYTES) flush();
  };
  const session = new ScheduleSession({ test: schedule.test, seed: schedule.seed, servers: schedule.servers, replay: schedule });
  await runTest(schedule.test, {
    seed: schedule.seed,
    schedule: session,
    trace: sink,
    ...(impl !== undefined ? { impl } : {}),
    ...(job.strict ? { strict: true } : {}),
  });
  flush();
  return truncated;
}

async function main(): Promise<void> {
  const impl = job.impl === null ? undefined : await loadImpl(job.impl);
  const r = await shrinkRun(job.test, job.seed, {
    ...(impl !== undefined ? { impl } : {}),
    ...(job.impl !== null ? { implPath: job.impl } : {}),
    budgetMs: job.budgetMs,
    ...(job.strict ? { strict: true } : {}),
    onProgress: (p) => send({ t: "progress", runs: p.runs, faults: p.faults, originalFaults: p.originalFaults }),
  });
  const numbers = {
    faultsBefore: r.original.faults,
    faultsAfter: r.shrunk.faults,
    eventsBefore: r.original.events,
    eventsAfter: r.shrunk.events,
    virtualMsBefore: r.original.virtualMs,
    virtualMsAfter: r.shrunk.virtualMs,
    sameFailure: r.sameFailure,
    stoppedBy: r.stoppedBy,
    runs: r.runs,
    wallMs: Math.round(r.wallMs),
    faults: r.faults.slice(0, MAX_FAULTS_LISTED).map((f) => f.text),
  };
  let result: ShrinkDone;
  if (r.status === "passes") result = { status: "passes", ...numbers };
  else {
    const traceTruncated = await sendShrunkTrace(r.shrunk.schedule, impl);
    result = { status: "shrunk", scheduleText: `${JSON.stringify(r.shrunk.schedule)}\n`, ...(traceTruncated ? { traceTruncated } : {}), ...numbers };
  }
  send({ t: "done", test: job.test, seed: job.seed, result });
}

try {
  await main();
} catch (e) {
  send({ t: "error", message: ((e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "").trim() });
}
process.exit(0);
