// Every process an iteration started, so that none outlives it. A process group is not enough: a
// process that calls setsid (a daemon, `setsid sleep`, a test's helper server) leaves the group, and
// when its parent exits it is reparented away from the command's tree. Two ways find them on Linux's
// /proc: the ppid links, walked every SCAN_INTERVAL_MS while the iteration runs (a descendant that
// scrubs its environment is caught while its parent lives), and a marker variable every descendant
// inherits (RAFTLAB_STRESS_ITER=<token>, read from /proc/<pid>/environ), which still names a setsid
// child after its parent is gone. Where /proc is missing, only the process group is killed.
//
// A pid is remembered with its start time (field 22 of /proc/<pid>/stat), and is killed only while the
// process with that pid still has that start time: a reused pid is never someone else's process.

import { readFileSync, readdirSync } from "node:fs";

/** The variable that marks an iteration's processes; its value is unique to the iteration. */
export const ITERATION_MARKER = "RAFTLAB_STRESS_ITER";
/** How often the ppid links are walked while the iteration runs. */
export const SCAN_INTERVAL_MS = 250;
/** Most processes tracked for one iteration; a fork bomb beyond this is still killed by its group. */
export const MAX_TRACKED = 4096;
/** Kill rounds at the end: a process forking while it is killed is found by the next round. */
const KILL_ROUNDS = 5;

interface ProcInfo {
  readonly ppid: number;
  /** Start time in clock ticks since boot: with the pid, the identity of a process. */
  readonly start: string;
  readonly zombie: boolean;
}

function readStat(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so fields count from the last `)`.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19] ?? "", zombie: fields[0] === "Z" || fields[0] === "X" };
  } catch {
    return null;
  }
}

function listPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return [];
  }
}

export class ProcessTree {
  /** pid → start time of every process known to be the iteration's. */
  private readonly known = new Map<number, string>();
  private readonly markerBytes: Buffer;
  /** Processes this tree has killed (pid and start time), counted once each. */
  private readonly killed = new Set<string>();

  constructor(
    private readonly rootPid: number,
    token: string,
  ) {
    this.markerBytes = Buffer.from(`${ITERATION_MARKER}=${token}\0`);
    const root = readStat(rootPid);
    if (root !== null) this.known.set(rootPid, root.start);
  }

  /** How many processes were killed, the command's own process not counted. */
  get killedCount(): number {
    return this.killed.size;
  }

  /** Walks the ppid links from the known processes; with `byMarker`, also reads every environment. */
  scan(byMarker: boolean): void {
    const infos = new Map<number, ProcInfo>();
    for (const pid of listPids()) {
      if (pid === process.pid) continue;
      const info = readStat(pid);
      if (info !== null) infos.set(pid, info);
    }
    // Forget processes that are gone (or whose pid now belongs to another process).
    for (const [pid, start] of this.known) if (infos.get(pid)?.start !== start) this.known.delete(pid);
    if (byMarker) {
      for (const [pid, info] of infos) {
        if (this.known.size >= MAX_TRACKED) break;
        if (!this.known.has(pid) && !info.zombie && this.hasMarker(pid)) this.known.set(pid, info.start);
      }
    }
    // Descendants: repeat until no new child is found (a child's pid may be lower than its parent's).
    for (let grew = true; grew && this.known.size < MAX_TRACKED;) {
      grew = false;
      for (const [pid, info] of infos) {
        if (this.known.has(pid) || !this.known.has(info.ppid)) continue;
        this.known.set(pid, info.start);
        grew = true;
      }
    }
  }

  /** Kills every process of the iteration still running; returns how many this call killed. */
  killAll(): number {
    const before = this.killed.size;
    for (let round = 0; round < KILL_ROUNDS; round++) {
      this.scan(true);
      let found = 0;
      for (const [pid, start] of this.known) {
        const now = readStat(pid);
        if (now === null || now.start !== start || now.zombie) continue;
        try {
          process.kill(pid, "SIGKILL");
          found += 1;
          if (pid !== this.rootPid) this.killed.add(`${pid}:${start}`);
        } catch {
          // Gone meanwhile, or not ours to kill.
        }
      }
      if (found === 0) break;
    }
    return this.killed.size - before;
  }

  private hasMarker(pid: number): boolean {
    try {
      const env = readFileSync(`/proc/${pid}/environ`);
      const at = env.indexOf(this.markerBytes);
      return at === 0 || (at > 0 && env[at - 1] === 0);
    } catch {
      return false;
    }
  }
}
