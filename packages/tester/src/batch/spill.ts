// The batch's scratch folder (one spill file per worker slot, in the OS temp dir). It must not outlive
// the batch: it is removed when the batch ends, on process.exit (a second Ctrl-C), and, for a batch
// that was SIGKILLed or lost power, by the next batch, which sweeps folders whose owning process is gone.

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "raftlab-batch-";
/** Bounds the sweep of a temp dir that holds thousands of entries. */
const MAX_SWEPT = 64;

const live = new Set<string>();
let exitHookInstalled = false;

function removeLiveOnExit(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
}

/** True when no process has that pid (kill(pid, 0) probes without signalling). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Removes spill folders left by batches that no longer run (named raftlab-batch-<pid>-XXXXXX). */
export function sweepStaleSpillDirs(root: string = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (removed.length >= MAX_SWEPT) break;
    const m = /^raftlab-batch-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || !processGone(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export function createSpillDir(root: string = tmpdir()): string {
  sweepStaleSpillDirs(root);
  const dir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  live.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", removeLiveOnExit);
  }
  return dir;
}

export function removeSpillDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}
