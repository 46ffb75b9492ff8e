// A shrink worker thread (`raftlab batch --shrink`): loads the --impl, shrinks one failure group's
// example with src/shrink/, writes the shrunk schedule and the shrunk run's trace beside the example's
// artifacts, and sends back the numbers. The code under test runs here, never in the batch's thread:
// what it prints stays in this thread (the parent discards it), and the parent can stop it.

import { writeFileAtomic } from "../runs/atomic.js";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { loadImpl, runTest } from "../runner.js";
import { ScheduleSession } from "../schedule/session.js";
import { shrinkRun } from "../shrink/shrink.js";
import type { Schedule } from "../schedule/format.js";
import { MAX_FAULTS_LISTED } from "../runs/shrunk.js";
import type { ShrinkDone, ShrinkJob, ShrinkWorkerMessage } from "./shrink-protocol.js";

const job = workerData as ShrinkJob;
const port = parentPort;
if (port === null) throw new Error("the shrink worker must run in a worker thread");

function post(m: ShrinkWorkerMessage): void {
  port?.postMessage(m);
}

/** Runs the shrunk schedule once more, traced, and saves the trace (up to the cap). */
async function saveShrunkTrace(schedule: Schedule, impl: MakeRaft | undefined, file: string): Promise<boolean> {
  const lines: string[] = [];
  let bytes = 0;
  let truncated = false;
  const sink = (e: TraceEvent): void => {
    if (truncated) return;
    const line = `${formatTraceEvent(e)}\n`;
    bytes += Buffer.byteLength(line);
    if (bytes > job.traceCapBytes) truncated = true;
    else lines.push(line);
  };
  const session = new ScheduleSession({ test: schedule.test, seed: schedule.seed, servers: schedule.servers, replay: schedule });
  await runTest(schedule.test, {
    seed: schedule.seed,
    schedule: session,
    trace: sink,
    ...(impl !== undefined ? { impl } : {}),
    ...(job.strict ? { strict: true } : {}),
  });
  writeFileAtomic(file, lines.join(""));
  return truncated;
}

async function main(): Promise<void> {
  const impl = job.impl === null ? undefined : await loadImpl(job.impl);
  const r = await shrinkRun(job.test, job.seed, {
    ...(impl !== undefined ? { impl } : {}),
    ...(job.impl !== null ? { implPath: job.impl } : {}),
    budgetMs: job.budgetMs,
    ...(job.strict ? { strict: true } : {}),
    onProgress: (p) => post({ type: "progress", runs: p.runs, faults: p.faults, originalFaults: p.originalFaults }),
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
  if (r.status === "passes") {
    post({ type: "done", result: { status: "passes", ...numbers } });
    return;
  }
  const schedule = `${job.stem}.schedule.json`;
  const trace = `${job.stem}.shrunk.jsonl`;
  writeFileAtomic(join(job.outDir, schedule), `${JSON.stringify(r.shrunk.schedule)}\n`);
  const traceTruncated = await saveShrunkTrace(r.shrunk.schedule, impl, join(job.outDir, trace));
  const result: ShrinkDone = { status: "shrunk", schedule, trace, ...(traceTruncated ? { traceTruncated } : {}), ...numbers };
  post({ type: "done", result });
}

main().catch((e: unknown) => post({ type: "error", message: ((e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "").trim() }));
