// The machine's own parallel capacity, measured right before a batch measurement: how much work one and
// two threads of a trivial CPU-bound loop get done per second. On an idle 2-core machine two threads do
// about 2× the work of one; with other load (or SMT siblings sharing a core) less. The batch runner's
// scaling is then judged against what the machine offered at that moment, not against an ideal 2×.

import { Worker } from "node:worker_threads";

/** Loop iterations between clock reads; every spinning thread does at least this many. */
export const SPIN_BLOCK = 100_000;

const SPIN_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const SPIN_BLOCK = ${SPIN_BLOCK};
const deadline = performance.now() + workerData.ms;
let x = 0x9e3779b9 | 0, n = 0;
// At least one block, however late the thread got the CPU: a count of 0 would say nothing.
do {
  for (let i = 0; i < SPIN_BLOCK; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; }
  n += SPIN_BLOCK;
} while (performance.now() < deadline);
parentPort.postMessage({ n, x });
`;

function spinThread(ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SPIN_SOURCE, { eval: true, workerData: { ms } });
    w.once("message", (m: { n: number }) => {
      resolve(m.n);
      void w.terminate();
    });
    w.once("error", reject);
  });
}

/** Loop iterations done by each of `threads` threads spinning for `ms` at once, and the wall time taken. */
export async function spinCounts(threads: number, ms: number): Promise<{ counts: number[]; elapsedMs: number }> {
  const t0 = performance.now();
  const counts = await Promise.all(Array.from({ length: threads }, () => spinThread(ms)));
  return { counts, elapsedMs: performance.now() - t0 };
}

/** Loop iterations per second with `threads` threads spinning for `ms` at once. */
export async function spinRate(threads: number, ms: number): Promise<number> {
  const { counts, elapsedMs } = await spinCounts(threads, ms);
  return counts.reduce((a, b) => a + b, 0) / (elapsed(elapsedMs) / 1000);
}

function elapsed(ms: number): number {
  return Math.max(ms, 1e-3); // never divide by zero on a coarse clock
}
