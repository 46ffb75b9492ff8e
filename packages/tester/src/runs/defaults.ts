// Defaults every run kind (batch, stress) shares: how many runs at once, and where their output goes.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";

/** The CPU count, as Node sees it (availableParallelism respects CPU affinity masks). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Worker threads per CPU beyond which a batch only gains memory and context switches (each run is CPU-bound). */
export const MAX_WORKERS_PER_CPU = 2;

/**
 * The -j a batch really uses: at most MAX_WORKERS_PER_CPU per CPU (measured before the clamp: -j 100 on
 * 2 CPUs took 70 s and 1.1 GB for a batch that took 2.8 s at -j 2). `note` says so when it clamps.
 */
export function clampWorkers(requested: number, cpus: number = defaultWorkers()): { workers: number; note: string | null } {
  const max = Math.max(1, cpus) * MAX_WORKERS_PER_CPU;
  if (requested <= max) return { workers: requested, note: null };
  return {
    workers: max,
    note: `-j ${requested} clamped to ${max} (${MAX_WORKERS_PER_CPU} per CPU, ${Math.max(1, cpus)} CPUs here): more threads only add memory and switching`,
  };
}

/** Names handed out by this process, so two runs it starts in one second get two folders. */
const handedOut = new Set<string>();

/**
 * `raftlab-out/YYYYMMDD-HHMMSS-PID` in local time, like dstest's default output folder plus the process
 * id: two batches or stress runs started in the same second are two processes, so they get two folders
 * (they overwrote each other's files when the name was the second alone). The folder is made only
 * when something is saved, so the name cannot be claimed with mkdir up front; a name this process
 * already gave out, or one that exists (a pid reused on another machine sharing the folder), takes
 * the next `.2`, `.3`, ... suffix (bounded).
 */
export function defaultOutDir(date: Date = new Date(), pid: number = process.pid): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  const base = `raftlab-out/${stamp}-${pid}`;
  let name = base;
  for (let n = 2; n <= 1000 && (handedOut.has(name) || existsSync(name)); n++) name = `${base}.${n}`;
  handedOut.add(name);
  return name;
}
