// One writer per output folder. A batch or stress run writing a folder holds `<dir>/.raftlab.lock`, a
// small JSON file naming its pid, host and start: taken atomically (link(2) of a complete file onto the
// name fails if it exists), given up when the run ends, and taken over when its owner is gone (a
// SIGKILLed batch leaves it behind). A second writer gets one line naming the holder and exits 2.

import { linkSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UsageError } from "@raftlab/raft/terminal";
import { writeFileAtomic } from "./atomic.js";

export const LOCK_FILE = ".raftlab.lock";
/** Attempts to take a lock whose owner is gone before giving up (another process takes it over at once). */
const TAKEOVER_ATTEMPTS = 5;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** The owner's start time in clock ticks since boot (Linux /proc), to tell a reused pid from the owner. */
  readonly procStart: string | null;
  readonly command: string;
}

/** A held lock: `release` removes it if it is still this process's (idempotent). */
export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** Field 22 of /proc/<pid>/stat (start time), or null off Linux or for a pid that is gone. */
function procStartOf(pid: number | "self"): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count from after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof v.pid !== "number" || !Number.isSafeInteger(v.pid) || v.pid <= 0 || typeof v.host !== "string") return null;
    return {
      pid: v.pid,
      host: v.host,
      startedAt: typeof v.startedAt === "string" ? v.startedAt : "",
      procStart: typeof v.procStart === "string" ? v.procStart : null,
      command: typeof v.command === "string" ? v.command : "",
    };
  } catch {
    return null;
  }
}

/** Whether the lock's owner still runs: on this host, its pid is alive and (on Linux) started when it said. */
function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // a pid on another machine (a shared folder) cannot be checked
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = procStartOf(owner.pid);
  return owner.procStart === null || start === null || start === owner.procStart;
}

function describe(owner: LockOwner): string {
  const what = owner.command === "" ? "raftlab" : owner.command;
  return `${what} (pid ${owner.pid} on ${owner.host}${owner.startedAt !== "" ? `, since ${owner.startedAt}` : ""})`;
}

/** Links a complete lock file onto `path`; false if one is there already. */
function tryLink(path: string, text: string): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  writeFileAtomic(temp, text);
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Takes the lock of `dir` (which must exist) for `command` ("raftlab batch"), or throws a one-line
 * UsageError naming the process that holds it. A lock whose owner is gone is taken over: under a second,
 * exclusive `.takeover` file, so two newcomers cannot both remove it and both believe they hold it.
 */
export function lockFolder(dir: string, command: string): FolderLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), procStart: procStartOf("self"), command };
  const text = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    if (tryLink(path, text)) return heldLock(path, text);
    const owner = readOwner(path);
    if (owner !== null && ownerAlive(owner)) {
      throw new UsageError(`${dir} is being written by ${describe(owner)}: one writer per folder; wait for it, or give another folder`);
    }
    takeOverStale(path, owner);
  }
  throw new UsageError(`${dir}: cannot take its lock (${path}); other processes keep taking it`);
}

/**
 * Removes a lock whose owner is gone, if it is still the lock that was read, while holding the exclusive
 * takeover file (itself linked whole, like the lock), so that one newcomer cannot remove the fresh lock
 * another newcomer has just taken.
 */
function takeOverStale(path: string, seen: LockOwner | null): void {
  const guard = `${path}.takeover`;
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), procStart: procStartOf("self"), command: "takeover" })}\n`;
  if (!tryLink(guard, mine)) {
    // Another process is taking it over (try again), or died doing so (drop its guard, then try again).
    const owner = readOwner(guard);
    if (owner !== null && !ownerAlive(owner)) rmSync(guard, { force: true });
    return;
  }
  try {
    const now = readOwner(path);
    const same = now === null ? seen === null : seen !== null && now.pid === seen.pid && now.startedAt === seen.startedAt && now.host === seen.host;
    if (same && (now === null || !ownerAlive(now))) rmSync(path, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

const held = new Set<string>();
let exitHookInstalled = false;

function heldLock(path: string, text: string): FolderLock {
  held.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A second Ctrl-C ends the process with process.exit: its locks go with it.
    process.on("exit", () => {
      for (const p of held) releasePath(p, null);
    });
  }
  return {
    path,
    release: () => {
      if (!held.has(path)) return;
      held.delete(path);
      releasePath(path, text);
    },
  };
}

function releasePath(path: string, text: string | null): void {
  try {
    const owner = readOwner(path);
    if (owner !== null && owner.pid !== process.pid) return; // not ours (taken over after we were thought gone)
    if (text !== null && readFileSync(path, "utf8") !== text) return;
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
