// The isolated child of `raftlab run` (node run/child.js, started by action.ts): reads its job and the
// channel's secret, freezes the intrinsics, loads the Raft under test and runs the tests, sending every
// line, trace chunk and result to the parent over the authenticated channel. It prints nothing itself:
// whatever appears on its stdout or stderr is the code under test's.

import { escapeControls, formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { openChildChannel } from "../isolation/channel.js";
import { describePatch, freezeIntrinsics, patchedIntrinsic } from "../isolation/freeze.js";
import { ImplLoadError, loadImpl, runTest } from "../runner.js";
import { prepareScheduleReplay } from "../schedule/replay.js";
import { captureImplOutput } from "./capture.js";
import type { RunChildMessage, RunJob } from "./job.js";

/** Trace text sent in one message (the parent writes in 64 KB chunks too). */
const TRACE_CHUNK_CHARS = 65536;

const { job, send: sendRaw } = openChildChannel<RunJob>();
const send = (m: RunChildMessage): void => sendRaw(m);
freezeIntrinsics();

let impl: MakeRaft | undefined;
if (job.impl !== null) {
  try {
    impl = await loadImpl(job.impl);
    const patched = patchedIntrinsic();
    if (patched !== null) throw new ImplLoadError(`cannot load ${job.impl}: ${describePatch(patched)}`);
  } catch (e) {
    send({ t: "load-error", message: e instanceof ImplLoadError ? e.message : `cannot load ${job.impl}: ${escapeControls(String(e))}` });
    process.exit(0);
  }
}
send({ t: "ready" });

let traceText: string[] = [];
let traceChars = 0;
let lastT = 0;
const flushTrace = (): void => {
  if (traceText.length === 0) return;
  send({ t: "trace", text: traceText.join(""), lastT });
  traceText = [];
  traceChars = 0;
};
const sink = (e: TraceEvent): void => {
  const line = `${formatTraceEvent(e)}\n`;
  lastT = e.t;
  traceText.push(line);
  traceChars += line.length;
  if (job.pace !== null || traceChars >= TRACE_CHUNK_CHARS) flushTrace();
};

const restore = captureImplOutput((text) => send({ t: "print", text }));
const replay = job.schedule === null ? null : prepareScheduleReplay(job.schedule, [...job.tests]);
for (const test of job.tests) {
  send({ t: "start", test });
  const result = await runTest(test, {
    seed: job.seed,
    ...(replay !== null ? { schedule: replay.session() } : {}),
    ...(impl !== undefined ? { impl } : {}),
    trace: job.trace ? sink : null,
    output: (text, atMs) => {
      flushTrace();
      send({ t: "line", text, atMs });
    },
    ...(job.labelPrints ? { labelPrints: true } : {}),
    ...(job.showProbeOutput ? { showProbeOutput: true } : {}),
    ...(job.pace !== null ? { pace: job.pace } : {}),
    ...(job.strict ? { strict: true } : {}),
    wallTimeoutMs: job.wallTimeoutMs,
    builtinsCheck: patchedIntrinsic,
  });
  flushTrace();
  // A built-in patched after the run's last check (in kill(), say): the verdict sent is a failure.
  const patched = patchedIntrinsic();
  if (patched !== null && result.ok)
    send({ t: "line", text: `--- FAIL: ${test}: the Raft patched ${patched} (built-ins are frozen while a Raft runs)`, atMs: result.virtualMs });
  send({ t: "result", test, ok: result.ok && patched === null });
}
restore();
send({ t: "end" });
process.exit(0);
