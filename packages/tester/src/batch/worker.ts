// The worker thread: runs one (test, seed) at a time through the tester's `runTest`, streams the
// trace into a bounded buffer that spills to a per-worker file, and writes the run's artifacts itself
// when the run failed (or with --archive), so a passing run's trace never reaches the parent.

import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { MessagePort, parentPort, workerData } from "node:worker_threads";
import { formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { formatRunLog, makeDirs, saveErrorText } from "../runs/artifacts.js";
import { moveFileAtomic, writeFileAtomic } from "../runs/atomic.js";
import { loadRunner, type RunnerModule, type RunResult } from "./contract.js";
import type { RunRecord } from "../runs/record.js";
import { artifactStem } from "../runs/record.js";
import { MEMORY_SAMPLE_MS, type RunRequest, type WorkerConfig, type WorkerMessage } from "./protocol.js";
import { SharedTextRing } from "./ring.js";
import { failureSignature } from "../runs/signature.js";
import { applyCommandPrefix } from "../invocation.js";
import { describePatch, freezeIntrinsics, patchedIntrinsic } from "../isolation/freeze.js";

/** Trace text held in memory before it is appended to the spill file. */
const SPILL_CHUNK_BYTES = 256 * 1024;

/**
 * Collects one run's trace: in memory up to SPILL_CHUNK_BYTES, then in the spill file, never more than
 * `capBytes` in all. Every flushed byte is on disk, so a run that is stopped still leaves a partial trace.
 */
class TraceBuffer {
  private chunks: string[] = [];
  private chunkBytes = 0;
  private fd: number | null = null;
  bytes = 0;
  truncated = false;

  constructor(
    private readonly spillPath: string,
    private readonly capBytes: number,
  ) {}

  readonly sink = (event: TraceEvent): void => {
    const line = `${formatTraceEvent(event)}\n`;
    // The tail goes on past the cap: if the run hangs, its last events are what explain it.
    traceRing?.write(line);
    if (this.truncated) return;
    this.push(line);
  };

  private push(line: string): void {
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.capBytes) {
      this.truncated = true;
      return;
    }
    this.bytes += size;
    this.chunks.push(line);
    this.chunkBytes += size;
    if (this.chunkBytes >= SPILL_CHUNK_BYTES) this.flush();
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    if (this.fd === null) this.fd = openSync(this.spillPath, "w");
    writeSync(this.fd, this.chunks.join(""));
    this.chunks = [];
    this.chunkBytes = 0;
  }

  /** Writes the whole trace to `path`. */
  saveTo(path: string): void {
    if (this.fd === null) {
      writeFileAtomic(path, this.chunks.join(""));
    } else {
      this.flush();
      closeSync(this.fd);
      this.fd = null;
      moveFileAtomic(this.spillPath, path);
    }
    this.chunks = [];
  }

  discard(): void {
    this.chunks = [];
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      rmSync(this.spillPath, { force: true });
    }
  }
}

/** A replay's trace, hashed as it streams (nothing kept): what a saved trace is compared against. */
class TraceHasher {
  private readonly hash: Hash = createHash("sha256");
  readonly sink = (event: TraceEvent): void => {
    this.hash.update(`${formatTraceEvent(event)}\n`);
  };
  digest(): string {
    return this.hash.digest("hex");
  }
}

// The replay lines of this worker's .log files start as the main thread's do (npx inside a project).
applyCommandPrefix();
const config = workerData as WorkerConfig;
/**
 * Results go on the slot's private port, taken off workerData before the code under test loads (it
 * can import workerData), with postMessage captured now: a Raft that posts on parentPort, or patches
 * MessagePort.prototype.postMessage, cannot send or rewrite a verdict (the slot ignores parentPort).
 */
const port = config.reportPort ?? null;
delete (workerData as { reportPort?: unknown }).reportPort;
const postOnPort = MessagePort.prototype.postMessage;
/** The shared tails of the current run (ring.ts); absent for a probe thread. */
const outputRing = config.rings === undefined ? null : new SharedTextRing(config.rings.output);
const traceRing = config.rings === undefined ? null : new SharedTextRing(config.rings.trace);
if (parentPort === null || port === null) throw new Error("batch worker must run in a worker thread of a slot (thread-slot.ts)");

function post(message: WorkerMessage): void {
  if (port !== null) Reflect.apply(postOnPort, port, [message]);
}

/**
 * Console output of the code under test (a student's debug prints) goes into the current run's output,
 * and so into its saved `.log`, instead of the terminal where it would tear the progress display.
 */
let captureConsole: ((text: string) => void) | null = null;
function hookStream(stream: NodeJS.WriteStream): void {
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    captureConsole?.(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") (done as () => void)();
    return true;
  }) as typeof stream.write;
}
hookStream(process.stdout);
hookStream(process.stderr);

/** One execution of the run: its result and its captured output. */
interface Execution {
  readonly result: RunResult;
  readonly output: readonly string[];
  readonly outputDropped: number;
}

async function execute(runner: RunnerModule, impl: MakeRaft | undefined, req: RunRequest, sink: ((event: TraceEvent) => void) | null): Promise<Execution> {
  const output: string[] = [];
  let outputDropped = 0;
  outputRing?.clear();
  traceRing?.clear();
  const addOutput = (line: string): void => {
    outputRing?.write(`${line}\n`);
    if (output.length < config.outputCapLines) output.push(line);
    else outputDropped += 1;
  };
  captureConsole = (text) => {
    for (const line of text.replace(/\n$/, "").split("\n")) addOutput(line);
  };
  const started = performance.now();
  let result: RunResult;
  try {
    result = await runner.runTest(req.test, {
      seed: req.seed,
      ...(impl !== undefined ? { impl } : {}),
      trace: sink,
      output: addOutput,
      ...(config.strict === true ? { strict: true } : {}),
      builtinsCheck: patchedIntrinsic,
    });
    // A built-in patched after the run's last check (in kill(), say): this run's verdict is a failure.
    const patched = patchedIntrinsic();
    if (patched !== null && result.ok)
      result = { ...result, ok: false, failure: { kind: "fail", message: `the Raft patched ${patched} (built-ins are frozen while a Raft runs)` } };
  } catch (e) {
    // runTest promises not to throw for a failing Raft; if it does anyway, that is a crash of this run.
    const err = e instanceof Error ? e : new Error(String(e));
    result = {
      test: req.test,
      seed: req.seed,
      ok: false,
      failure: { kind: "crash", message: `runner threw: ${err.stack ?? err.message}` },
      virtualMs: 0,
      wallMs: performance.now() - started,
      rpcs: 0,
      bytes: 0,
      cmds: 0,
      peers: 0,
    };
  } finally {
    captureConsole = null;
  }
  return { result, output, outputDropped };
}

/** Whether two executions of one (test, seed) ended the same way. */
function sameOutcome(a: RunResult, b: RunResult): boolean {
  return a.ok === b.ok && a.failure?.kind === b.failure?.kind && a.failure?.message === b.failure?.message && a.virtualMs === b.virtualMs;
}

async function runOne(
  runner: RunnerModule,
  impl: MakeRaft | undefined,
  req: RunRequest,
): Promise<{ record: RunRecord; traceSha256: string | null; saveError?: string }> {
  const verifying = req.mode === "verify";
  const trace = new TraceBuffer(config.spillPath, config.traceCapBytes);
  const hasher = verifying ? new TraceHasher() : null;
  // Tracing costs about a third of a run's CPU, and only failing runs' traces are kept: so run untraced,
  // and run a failing run again with its trace (the same seed is the same run). --trace-every-run and
  // --archive trace the first run instead (a run stopped by the timeout then keeps a partial trace).
  const lazy = !config.traceEveryRun && !config.archive && !verifying && req.mode !== "diagnose";
  const first = await execute(runner, impl, req, hasher !== null ? hasher.sink : lazy ? null : trace.sink);
  let final = first;
  let note: string | undefined;
  if (lazy && !first.result.ok) {
    post({ type: "rerun" });
    const traced = await execute(runner, impl, req, trace.sink);
    if (sameOutcome(first.result, traced.result)) final = traced;
    else {
      note =
        `the traced re-run of this run ended differently (${traced.result.ok ? "passed" : `${traced.result.failure?.kind}: ${traced.result.failure?.message ?? ""}`}): ` +
        "the Raft is not deterministic; the saved trace is of the re-run";
    }
  }
  const result = first.result;
  const keep = !verifying && (!result.ok || config.archive);
  const stem = artifactStem(req.test, req.seed);
  const failure = result.failure ?? (result.ok ? undefined : { kind: "fail" as const, message: "failed (no message)" });
  const record: RunRecord = {
    test: req.test,
    seed: req.seed,
    ok: result.ok,
    signature: failure === undefined ? null : failureSignature(failure),
    kind: failure?.kind ?? null,
    message: failure?.message ?? null,
    invariant: failure?.invariant ?? null,
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    rpcs: result.rpcs,
    bytes: result.bytes,
    cmds: result.cmds,
    peers: result.peers,
    trace: keep ? `${stem}.jsonl` : null,
    log: keep ? `${stem}.log` : null,
    traceTruncated: trace.truncated,
    ...(result.warnings !== undefined && result.warnings.length > 0 ? { warnings: result.warnings.map((w) => ({ kind: w.kind, count: w.count })) } : {}),
  };
  if (keep) {
    try {
      makeDirs(config.outDir);
      trace.saveTo(`${config.outDir}/${stem}.jsonl`);
      if (trace.truncated) note = `trace cut at ${config.traceCapBytes} bytes (--trace-cap)${note !== undefined ? `; ${note}` : ""}`;
      writeFileAtomic(
        `${config.outDir}/${stem}.log`,
        formatRunLog({
          record,
          impl: config.impl,
          strict: config.strict === true,
          output: final.output,
          outputTruncated: final.outputDropped,
          ...(note !== undefined ? { note } : {}),
        }),
      );
    } catch (e) {
      // A half-written artifact is worse than none: the record names no files, and the batch stops.
      trace.discard();
      for (const f of [`${stem}.jsonl`, `${stem}.log`]) rmSync(`${config.outDir}/${f}`, { force: true });
      return { record: { ...record, trace: null, log: null }, traceSha256: null, saveError: saveErrorText(e) };
    }
  } else {
    trace.discard();
  }
  return { record, traceSha256: hasher?.digest() ?? null };
}

async function main(): Promise<void> {
  let runner: RunnerModule;
  let impl: MakeRaft | undefined;
  try {
    runner = await loadRunner(config.runnerModule ?? undefined);
    // The code under test loads into frozen intrinsics (isolation/freeze.ts): patching Array.prototype
    // and the like fails at load instead of changing what the runner computes.
    freezeIntrinsics();
    impl = config.impl === null ? undefined : await runner.loadImpl(config.impl);
    const patched = patchedIntrinsic();
    if (patched !== null) throw new Error(`cannot load ${config.impl ?? "the Raft"}: ${describePatch(patched)}`);
  } catch (e) {
    post({ type: "init-error", message: e instanceof Error ? e.message : String(e) });
    return;
  }
  // One run at a time: the parent sends the next request only after "done".
  parentPort?.on("message", (req: RunRequest) => {
    void runOne(runner, impl, req).then(({ record, traceSha256, saveError }) =>
      post({ type: "done", record, traceSha256, ...(saveError !== undefined ? { saveError } : {}) }),
    );
  });
  // This isolate's own figures (process.memoryUsage() would be the whole process, every thread), so the
  // parent can stop a run that hoards Buffers as "out of memory" instead of waiting for its timeout.
  setInterval(() => {
    const h = getHeapStatistics();
    post({ type: "memory", bytes: h.used_heap_size + h.external_memory });
  }, MEMORY_SAMPLE_MS).unref();
  post({ type: "ready" });
}

void main();
