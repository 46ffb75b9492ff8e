// Defaults every run kind (batch, stress) shares: how many runs at once, and where their output goes.

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
  return { workers: max, note: `-j ${requested} clamped to ${max} (${MAX_WORKERS_PER_CPU} per CPU, ${Math.max(1, cpus)} CPUs here): more threads only add memory and switching` };
}

/** `raftlab-out/YYYYMMDD-HHMMSS` in local time, like dstest's default output folder. */
export function defaultOutDir(date: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `raftlab-out/${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}
