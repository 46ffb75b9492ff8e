// The run list: which (test, seed) pairs a batch runs, in which order. It is a pure function of the
// arguments, so a shard computed on one CI machine is the same slice everywhere, and replaying a
// batch with the same flags runs exactly the same pairs.

/** One unit of work: a test and the seed that determines everything about the run. */
export interface RunItem {
  readonly test: string;
  readonly seed: number;
}

export interface RunListOptions {
  /** Test names, in the order the tester lists them. */
  readonly tests: readonly string[];
  /** Iterations per test. */
  readonly iterations: number;
  /** First seed; each test runs seeds seedStart .. seedStart + iterations - 1. */
  readonly seedStart: number;
  /** All iterations of one test before the next, instead of interleaving the tests. */
  readonly sequential: boolean;
}

/** A `--shard I/N` slice: `index` is 1-based (1..count), as in most CI matrix syntaxes. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Largest run list one batch (or one loop round) may build; keeps memory bounded. */
export const MAX_RUNS = 10_000_000;

/** Most shards a run list may be split into (a CI matrix; GitHub Actions allows 256 jobs). */
export const MAX_SHARDS = 10_000;

/** Seeds are uint32 for the PRNG; a batch must not run past the end of that range. */
export const MAX_SEED = 0xffff_ffff;

export class RunListError extends Error {
  override readonly name = "RunListError";
}

/**
 * Builds the run list. Interleaved (the default) runs every test at seed s before any at s+1, so a
 * batch stopped early (Ctrl-C, --fail-fast) has covered all tests evenly; sequential runs each test's
 * seeds in order, which finishes one test's verdict first.
 */
export function buildRunList(options: RunListOptions): RunItem[] {
  const { tests, iterations, seedStart, sequential } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RunListError(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!Number.isSafeInteger(seedStart) || seedStart < 0 || seedStart + iterations - 1 > MAX_SEED) {
    throw new RunListError(`seeds ${seedStart}..${seedStart + iterations - 1} are outside 0..${MAX_SEED}`);
  }
  if (tests.length === 0) throw new RunListError("no tests to run");
  if (tests.length * iterations > MAX_RUNS) {
    throw new RunListError(`${tests.length} tests × ${iterations} iterations exceeds ${MAX_RUNS} runs`);
  }
  const items: RunItem[] = [];
  if (sequential) {
    for (const test of tests) {
      for (let i = 0; i < iterations; i++) items.push({ test, seed: seedStart + i });
    }
  } else {
    for (let i = 0; i < iterations; i++) {
      for (const test of tests) items.push({ test, seed: seedStart + i });
    }
  }
  return items;
}

/**
 * The runs of one shard: every count-th run starting at index-1. Striping (rather than contiguous
 * blocks) gives every shard the same mix of slow and fast tests; the shards 1/N .. N/N partition the
 * list exactly.
 */
export function shardRunList<T>(items: readonly T[], shard: Shard): T[] {
  assertShard(shard);
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

function assertShard(shard: Shard): void {
  if (!Number.isSafeInteger(shard.count) || shard.count < 1 || !Number.isSafeInteger(shard.index)) {
    throw new RunListError(`invalid shard ${shard.index}/${shard.count}`);
  }
  if (shard.count > MAX_SHARDS) throw new RunListError(`at most ${MAX_SHARDS} shards, got ${shard.count}`);
  if (shard.index < 1 || shard.index > shard.count) {
    throw new RunListError(`shard index must be in 1..${shard.count}, got ${shard.index}`);
  }
}

/** Parses `I/N` (1-based), e.g. `--shard 2/4`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new RunListError(`--shard expects I/N (e.g. 1/4), got "${text}"`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  assertShard(shard);
  return shard;
}

/**
 * Iterations of loop round `round` (0-based): the first round runs `iterations`, each later one
 * `growth` times as many as the one before (capped so a long loop cannot overflow the run list).
 */
export function loopRoundIterations(iterations: number, growth: number, round: number, tests: number): number {
  let n = iterations;
  for (let r = 0; r < round; r++) n = Math.ceil(n * growth);
  return Math.max(1, Math.min(n, Math.floor(MAX_RUNS / Math.max(1, tests))));
}
