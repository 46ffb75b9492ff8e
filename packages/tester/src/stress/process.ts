// Runs one iteration of the command: in the current directory, in its own process group (so a timeout
// or Ctrl-C stops everything it started: `go test` and its test binary, a script and its children),
// with the environment passed through plus RAFTLAB_ITER. stdout and stderr are one pipe (`2>&1` in a
// tiny `sh` that then execs the command), so the saved output has them interleaved in the order they
// were written. Processes that leave the group (setsid, daemons) are tracked too (tree.ts), and
// nothing the iteration started outlives it: what is still running when it ends is killed and counted.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { LineSplitter, TailBuffer } from "./output.js";
import { ITERATION_MARKER, ProcessTree, SCAN_INTERVAL_MS } from "./tree.js";

export interface IterationSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly iteration: number;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** Every output line, as it arrives. */
  readonly onLine: (line: string) => void;
}

export interface IterationOutcome {
  /** The command's exit code, or null if a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Stopped by --timeout. */
  readonly timedOut: boolean;
  /** Stopped by Ctrl-C or --fail-fast: not a result. */
  readonly cancelled: boolean;
  readonly wallMs: number;
  readonly output: TailBuffer;
  /** Could not start at all (spawn error). */
  readonly spawnError: string | null;
  /** Processes the iteration started that were still running at its end (or at its timeout) and were killed. */
  readonly killedProcesses: number;
}

/** Process groups (and their trees) still running, so that an exiting raftlab stops them too. */
const running = new Map<number, ProcessTree>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [pid, tree] of running) {
      tree.killAll();
      killGroup(pid);
    }
  });
}

/** How long to wait for the pipe to close after the command exited (a daemon it left may hold it). */
const PIPE_GRACE_MS = 1000;

export function runIteration(spec: IterationSpec, signal: AbortSignal): Promise<IterationOutcome> {
  installExitHook();
  const output = new TailBuffer(spec.maxOutputBytes);
  const lines = new LineSplitter(spec.onLine);
  const started = performance.now();
  // Unique to this iteration of this raftlab: the marker its processes inherit.
  const token = `${process.pid}-${spec.iteration}-${randomBytes(6).toString("hex")}`;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn("/bin/sh", ["-c", 'exec "$@" 2>&1', "sh", ...spec.argv], {
        cwd: spec.cwd,
        env: { ...spec.env, RAFTLAB_ITER: String(spec.iteration), [ITERATION_MARKER]: token },
        detached: true,
        stdio: ["ignore", "pipe", "ignore"],
      });
    } catch (e) {
      resolve({ exitCode: null, signal: null, timedOut: false, cancelled: false, wallMs: 0, output, spawnError: (e as Error).message, killedProcesses: 0 });
      return;
    }
    const pid = child.pid;
    const tree = pid === undefined ? null : new ProcessTree(pid, token);
    if (pid !== undefined && tree !== null) running.set(pid, tree);
    const scanner = tree === null ? null : setInterval(() => tree.scan(false), SCAN_INTERVAL_MS);
    let timedOut = false;
    let cancelled = signal.aborted;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let pipeClosed = false;
    let settled = false;
    let spawnError: string | null = null;
    const stop = (): void => {
      tree?.killAll();
      if (pid !== undefined) killGroup(pid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, spec.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (cancelled) stop();
    let grace: NodeJS.Timeout | null = null;
    const finish = (): void => {
      if (settled || exit === null || !pipeClosed) return;
      settled = true;
      clearTimeout(timer);
      if (scanner !== null) clearInterval(scanner);
      if (grace !== null) clearTimeout(grace);
      signal.removeEventListener("abort", onAbort);
      if (pid !== undefined) {
        // Anything the command left behind, in its group or out of it, goes with it.
        tree?.killAll();
        killGroup(pid);
        running.delete(pid);
      }
      lines.end();
      const killedProcesses = tree?.killedCount ?? 0;
      if (killedProcesses > 0) output.push(Buffer.from(`${leftoverNote(killedProcesses, timedOut || cancelled)}\n`));
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        timedOut,
        cancelled,
        wallMs: performance.now() - started,
        output,
        spawnError,
        killedProcesses,
      });
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output.push(chunk);
      lines.push(chunk);
    });
    child.stdout?.on("close", () => {
      pipeClosed = true;
      finish();
    });
    child.on("error", (e) => {
      spawnError = e.message;
      exit ??= { code: null, signal: null };
      pipeClosed = true;
      finish();
    });
    child.on("exit", (code, sig) => {
      exit = { code, signal: sig };
      grace = setTimeout(() => {
        child.stdout?.destroy();
        pipeClosed = true;
        finish();
      }, PIPE_GRACE_MS);
      finish();
    });
  });
}

/** The line a saved output ends with when processes had to be killed. */
export function leftoverNote(killed: number, stopped: boolean): string {
  const what = `${killed} process${killed === 1 ? "" : "es"}`;
  return stopped
    ? `raftlab stress: killed ${what} the iteration had started`
    : `raftlab stress: killed ${what} still running after the command exited (started in their own session, or left in the background)`;
}
