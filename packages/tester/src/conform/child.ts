// The isolated child of `raftlab conform` (node conform/child.js, started by commands.ts): reads its
// job and the channel's secret, freezes the intrinsics, loads the Raft under test and runs the cases,
// sending each start and result to the parent over the authenticated channel. What the Raft prints goes
// to this process's stderr, which the parent shows escaped; the parent prints the results and judges.

import { escapeControls, make as ourMake, type MakeRaft } from "@raftlab/raft";
import { openChildChannel } from "../isolation/channel.js";
import { freezeIntrinsics } from "../isolation/freeze.js";
import { ImplLoadError, loadImpl } from "../runner.js";
import type { ConformChildMessage, ConformJob } from "./job.js";
import { CONFORM_CASES, runCase, type ConformResult } from "./run.js";

const { job, send: sendRaw } = openChildChannel<ConformJob>();
const send = (m: ConformChildMessage): void => sendRaw(m);
freezeIntrinsics();

// What the Raft prints goes to stderr, so that nothing but the parent's results reach stdout; and
// process.exit throws (the case it happens in fails) rather than ending the cases.
const toStderr = process.stderr.write.bind(process.stderr);
const exitNow = process.exit.bind(process);
process.stdout.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean =>
  toStderr(chunk as string, encoding as BufferEncoding, callback as () => void)) as typeof process.stdout.write;
process.exit = ((code?: unknown): never => {
  throw new Error(`the Raft called process.exit(${code === undefined ? "" : escapeControls(String(code))}); a Raft under test must not end the tester`);
}) as typeof process.exit;

let make: MakeRaft = ourMake;
if (job.impl !== null) {
  try {
    make = await loadImpl(job.impl);
  } catch (e) {
    send({ t: "load-error", message: e instanceof ImplLoadError ? e.message : `cannot load ${job.impl}: ${escapeControls(String(e))}` });
    exitNow(0);
  }
}
send({ t: "ready" });

// A case waiting on the peer (a handler whose promise never settles) with nothing left to happen: the
// event loop empties and Node would end the process (exit 13). It is that case's timeout instead.
let stalled: (() => void) | null = null;
process.on("beforeExit", () => stalled?.());

for (const name of job.cases) {
  const c = CONFORM_CASES.find((k) => k.name === name);
  if (c === undefined) continue;
  send({ t: "start", name });
  const never = new Promise<ConformResult>((resolve) => {
    stalled = () =>
      resolve({
        name,
        ok: false,
        mismatch: "[timeout] the case waits on the peer under test and nothing is left to happen (a promise of the Raft that never settles?)",
        runs: 1,
      });
  });
  const r = await Promise.race([runCase(make, c, job.seed), never]);
  stalled = null;
  send({ t: "result", result: { name: r.name, ok: r.ok, ...(r.mismatch !== undefined ? { mismatch: r.mismatch } : {}), runs: r.runs } });
}
send({ t: "end" });
exitNow(0);
