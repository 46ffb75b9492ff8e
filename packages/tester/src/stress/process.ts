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
  const started = performance.now();
  // Unique to this iteration of this raftlab: the marker its processes inherit.
  const token = `${process.pid}-${spec.iteration}-${randomBytes(6).toString("hex")}`;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawnInGroup(spec, token);
    } catch (e) {
      resolve({ exitCode: null, signal: null, timedOut: false, cancelled: false, wallMs: 0, output, spawnError: (e as Error).message, killedProcesses: 0 });
      return;
    }
    new WatchedIteration(spec, child, token, signal, output, started, resolve);
  });
}

/** Starts the command in a new process group, stdout and stderr on one pipe, marked with `token`. */
function spawnInGroup(spec: IterationSpec, token: string): ChildProcess {
  return spawn("/bin/sh", ["-c", 'exec "$@" 2>&1', "sh", ...spec.argv], {
    cwd: spec.cwd,
    env: { ...spec.env, RAFTLAB_ITER: String(spec.iteration), [ITERATION_MARKER]: token },
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
}

/**
 * A started iteration, watched until the command has exited and its pipe has closed (or the grace after
 * its exit has passed): the timeout, Ctrl-C, the scan of its process tree, and at the end the killing
 * of whatever it left running.
 */
class WatchedIteration {
  private readonly pid: number | undefined;
  private readonly tree: ProcessTree | null;
  private readonly scanner: NodeJS.Timeout | null;
  private readonly timer: NodeJS.Timeout;
  private readonly lines: LineSplitter;
  private timedOut = false;
  private cancelled: boolean;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private pipeClosed = false;
  private settled = false;
  private spawnError: string | null = null;
  private grace: NodeJS.Timeout | null = null;
  private readonly onAbort = (): void => {
    this.cancelled = true;
    this.stop();
  };

  constructor(
    spec: IterationSpec,
    private readonly child: ChildProcess,
    token: string,
    private readonly signal: AbortSignal,
    private readonly output: TailBuffer,
    private readonly started: number,
    private readonly resolve: (outcome: IterationOutcome) => void,
  ) {
    this.lines = new LineSplitter(spec.onLine);
    const pid = child.pid;
    const tree = pid === undefined ? null : new ProcessTree(pid, token);
    this.pid = pid;
    this.tree = tree;
    if (pid !== undefined && tree !== null) running.set(pid, tree);
    this.scanner = tree === null ? null : setInterval(() => tree.scan(false), SCAN_INTERVAL_MS);
    this.cancelled = signal.aborted;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, spec.timeoutMs);
    signal.addEventListener("abort", this.onAbort, { once: true });
    if (this.cancelled) this.stop();
    this.listen();
  }

  /** Kills everything the iteration started, in its group or out of it. */
  private stop(): void {
    this.tree?.killAll();
    if (this.pid !== undefined) killGroup(this.pid);
  }

  private listen(): void {
    const child = this.child;
    child.stdout?.on("data", (chunk: Buffer) => {
      this.output.push(chunk);
      this.lines.push(chunk);
    });
    child.stdout?.on("close", () => {
      this.pipeClosed = true;
      this.finish();
    });
    child.on("error", (e) => {
      this.spawnError = e.message;
      this.exit ??= { code: null, signal: null };
      this.pipeClosed = true;
      this.finish();
    });
    child.on("exit", (code, sig) => {
      this.exit = { code, signal: sig };
      this.grace = setTimeout(() => {
        child.stdout?.destroy();
        this.pipeClosed = true;
        this.finish();
      }, PIPE_GRACE_MS);
      this.finish();
    });
  }

  /** Resolves once both the exit and the pipe's close have been seen, after the clean-up. */
  private finish(): void {
    const exit = this.exit;
    if (this.settled || exit === null || !this.pipeClosed) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.scanner !== null) clearInterval(this.scanner);
    if (this.grace !== null) clearTimeout(this.grace);
    this.signal.removeEventListener("abort", this.onAbort);
    if (this.pid !== undefined) {
      // Anything the command left behind, in its group or out of it, goes with it.
      this.tree?.killAll();
      killGroup(this.pid);
      running.delete(this.pid);
    }
    this.lines.end();
    const killedProcesses = this.tree?.killedCount ?? 0;
    if (killedProcesses > 0) this.output.push(Buffer.from(`${leftoverNote(killedProcesses, this.timedOut || this.cancelled)}\n`));
    this.resolve({
      exitCode: exit.code,
      signal: exit.signal,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
      wallMs: performance.now() - this.started,
      output: this.output,
      spawnError: this.spawnError,
      killedProcesses,
    });
  }
}

/** The line a saved output ends with when processes had to be killed. */
export function leftoverNote(killed: number, stopped: boolean): string {
  const what = `${killed} process${killed === 1 ? "" : "es"}`;
  return stopped
    ? `raftlab stress: killed ${what} the iteration had started`
    : `raftlab stress: killed ${what} still running after the command exited (started in their own session, or left in the background)`;
}
