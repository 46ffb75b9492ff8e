// A seeded pseudo-random generator: xoshiro128** 1.0 (Blackman & Vigna, 2018), seeded through
// SplitMix32 so that nearby seeds give unrelated streams. It is small, fast with 32-bit integer
// arithmetic, and passes BigCrush; it is not cryptographic, and need not be. Everything in raftlab
// that involves chance draws from one of these, never from Math.random, so a run is a function of its
// seed.

/** A deterministic source of randomness. */
export interface Prng {
  /** A uniformly distributed float in [0, 1). */
  next(): number;
  /** A uniformly distributed integer in [0, n), like Go's rand.Intn. n must be a positive integer. */
  int(n: number): number;
  /** A new, independent generator derived from this one (for giving each peer its own stream). */
  fork(): Prng;
}

/** Creates an xoshiro128** generator from any finite number (the seed is reduced to 32 bits). */
export function createPrng(seed: number): Prng {
  if (!Number.isFinite(seed)) throw new RangeError(`prng seed must be a finite number, got ${seed}`);
  let x = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
  // SplitMix32 expands the seed into the 128-bit state; it never yields an all-zero state.
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return xoshiro128ss(splitmix(), splitmix(), splitmix(), splitmix());
}

function xoshiro128ss(a0: number, b0: number, c0: number, d0: number): Prng {
  let a = a0 | 0;
  let b = b0 | 0;
  let c = c0 | 0;
  let d = d0 | 0;
  if ((a | b | c | d) === 0) a = 1; // The all-zero state is a fixed point; avoid it.
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const prng: Prng = {
    next: () => nextU32() / 4294967296,
    int: (n: number): number => {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`prng.int needs a positive integer, got ${n}`);
      // Multiply-shift on 32 bits is unbiased enough for n far below 2^32 (all our uses are).
      return Math.floor((nextU32() / 4294967296) * n);
    },
    fork: () => xoshiro128ss(nextU32(), nextU32(), nextU32(), nextU32()),
  };
  return prng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
