// Virtual clock, timers and randomness for a Raft that does not use its `Runtime` (issue 11 §6). For the
// duration of one simulated run, the globals a student's Raft may call directly are replaced by versions
// on the simulator, so the run stays a function of (test, seed) and replays byte for byte:
//
//   setTimeout, clearTimeout, setInterval, clearInterval  -> events on the simulator (virtual ms; a delay
//       below 1 ms or not a number is 1 ms, as in Node); the handle has ref/unref/hasRef/refresh/close
//   setImmediate, clearImmediate                           -> an event at the same virtual instant
//   the same from node:timers, and setTimeout/setImmediate/setInterval of node:timers/promises (also
//       util.promisify(setTimeout)), even as named ESM imports (syncBuiltinESMExports)
//   Date.now(), new Date(), Date()                         -> VIRTUAL_EPOCH_MS + virtual ms
//   performance.now()                                      -> virtual ms since the cluster started
//   process.hrtime(), process.hrtime.bigint()              -> virtual time in ns
//   Math.random()                                          -> a PRNG stream of its own, forked from the seed
//
// A callback runs at its virtual instant, and the microtasks it starts (an awaited sleep's continuation)
// run before the clock moves on. Events due at one instant run in the simulator's seeded order, like all
// other events (so two timers due at the same ms are not promised Node's FIFO order).
//
// Like the Runtime's timers, a timer belongs to the peer incarnation whose code created it (found from
// the make() call, the timer callback or the simulator event running), and never fires once that
// incarnation is killed; the restart probes' copies (invariants/restart-copy.ts) get timers that never
// fire, and never enter the simulator: inside the probe sandbox (sim/probe-sandbox.ts) a timer is
// created inert and Math.random draws from the probe's own stream, so a probe shifts nothing of the run.
// A timer created by code the harness calls directly (start() from a test body) has no known owner: it
// fires whatever happens to the peer.
//
// Not virtualized; each call is passed through and counted as a warning of the run (one line per kind):
// crypto.getRandomValues, crypto.randomUUID, process.uptime. Not virtualized and not detected:
// functions captured before the run (`const now = Date.now` at module load), timers/promises'
// scheduler, node:crypto's own functions, process.nextTick and queueMicrotask (deterministic already),
// and real I/O. Two runs in flight at once in one process share the globals: the one started
// last owns them until it ends.

import { createRequire, syncBuiltinESMExports } from "node:module";
import { promisify } from "node:util";
import type { MakeRaft, Prng } from "@raftlab/raft";
import { probeScope } from "./probe-sandbox.js";
import { PeerRuntime } from "./runtime.js";
import type { Simulator } from "./simulator.js";

/** What Date.now() returns at virtual time 0: 2025-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2025, 0, 1);

/** The largest delay Node accepts (2^31 - 1 ms); longer or invalid delays become 1 ms, as in Node. */
const TIMEOUT_MAX = 2 ** 31 - 1;

// The real functions, taken when this module loads (before any run can replace them).
const REAL = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  Date: globalThis.Date,
  random: Math.random,
  hrtime: process.hrtime,
  uptime: process.uptime,
};

type Patch = readonly [target: object, key: string];
/** Every property a run replaces, with whether it was the target's own property before. */
// node:timers and node:timers/promises: their CommonJS exports are patched too, and
// syncBuiltinESMExports() carries that into `import { setTimeout } from "node:timers/promises"`.
const requireBuiltin = createRequire(import.meta.url);
const timersModule = requireBuiltin("node:timers") as object;
const timersPromisesModule = requireBuiltin("node:timers/promises") as object;

/**
 * Under frozen intrinsics (the isolated child of `raftlab run`, batch and conform: node
 * --frozen-intrinsics) Math.random cannot be replaced: the global `Math` is, by a copy whose random is
 * the run's. A `Math` object captured at module load then keeps the real random (not virtualized).
 */
const MATH_FROZEN = Object.getOwnPropertyDescriptor(Math, "random")?.configurable === false;
const MATH_RANDOM_PATCH: Patch = MATH_FROZEN ? [globalThis, "Math"] : [Math, "random"];

/** The value of MATH_RANDOM_PATCH for a run whose Math.random is `random`. */
function mathRandomValue(random: () => number): unknown {
  if (!MATH_FROZEN) return random;
  const copy: object = {};
  for (const key of Reflect.ownKeys(Math)) {
    const value: unknown = key === "random" ? random : (Math as unknown as Record<PropertyKey, unknown>)[key];
    Object.defineProperty(copy, key, { value, writable: false, enumerable: false, configurable: false });
  }
  return Object.freeze(copy);
}

const PATCHED: readonly Patch[] = [
  [globalThis, "setTimeout"],
  [globalThis, "clearTimeout"],
  [globalThis, "setInterval"],
  [globalThis, "clearInterval"],
  [globalThis, "setImmediate"],
  [globalThis, "clearImmediate"],
  [globalThis, "Date"],
  MATH_RANDOM_PATCH,
  [performance, "now"],
  [process, "hrtime"],
  [process, "uptime"],
  [globalThis.crypto, "getRandomValues"],
  [globalThis.crypto, "randomUUID"],
  [timersModule, "setTimeout"],
  [timersModule, "clearTimeout"],
  [timersModule, "setInterval"],
  [timersModule, "clearInterval"],
  [timersModule, "setImmediate"],
  [timersModule, "clearImmediate"],
  [timersPromisesModule, "setTimeout"],
  [timersPromisesModule, "setImmediate"],
  [timersPromisesModule, "setInterval"],
];
const ORIGINAL = PATCHED.map(([target, key]) => Object.getOwnPropertyDescriptor(target, key));

/** The peer incarnation a timer belongs to. */
interface Owner {
  readonly peer: number;
  /** The incarnation's runtime (its `killed` flag); null: unknown, the timer always fires. */
  readonly runtime: PeerRuntime | null;
  /** A restart probe's copy: its timers never fire. */
  readonly inert: boolean;
}

export interface VirtualGlobalsOptions {
  readonly sim: Simulator;
  /** The stream Math.random draws from (fork it from the run's seed, after the tester's own streams). */
  readonly prng: Prng;
  /** Counts a warning of the run (TestContext.warn). */
  readonly warn: (kind: string, message: string) => void;
}

export interface VirtualGlobals {
  /** `impl` with its make() calls attributed to their peer, so the timers they create die with it. */
  wrapMake(impl: MakeRaft): MakeRaft;
  /** Puts the virtual functions in the globals. */
  install(): void;
  /** Puts the real functions back (or those of the run installed before this one). Idempotent. */
  restore(): void;
  /**
   * The peer whose code runs now, for attributing its prints (sim/print-capture.ts): the innermost of a
   * make() call, a method of the Raft API the harness calls (start, kill, ...), a virtual timer's
   * callback, or the simulator event running (a delivered RPC, a reply, their microtasks); -1: none.
   */
  speaker(): number;
}

/** The handle setTimeout/setInterval/setImmediate return; clearTimeout also accepts its number. */
class VirtualTimer {
  cancelled = false;
  cancelEvent: () => void = () => {};
  constructor(
    readonly id: number,
    private readonly rearm: (t: VirtualTimer) => void,
  ) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  refresh(): this {
    if (!this.cancelled) {
      this.cancelEvent();
      this.rearm(this);
    }
    return this;
  }
  close(): this {
    this.cancelled = true;
    this.cancelEvent();
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** The methods of the Raft API the harness calls on a peer. */
const PEER_METHODS = ["start", "getState", "kill", "snapshot", "handleRpc", "persistBytes"] as const;

/** The installed runs, last = the one whose functions are in the globals. */
const active: Array<{ apply: () => void }> = [];

function setAll(values: readonly unknown[]): void {
  PATCHED.forEach(([target, key], i) => {
    Object.defineProperty(target, key, { value: values[i], writable: true, configurable: true, enumerable: ORIGINAL[i]?.enumerable ?? false });
  });
  syncBuiltinESMExports();
}

function putBackOriginals(): void {
  PATCHED.forEach(([target, key], i) => {
    const d = ORIGINAL[i];
    if (d === undefined) delete (target as Record<string, unknown>)[key];
    else Object.defineProperty(target, key, d);
  });
  syncBuiltinESMExports();
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

function callbackError(name: string, fn: unknown): TypeError {
  const err = new TypeError(`The "callback" argument of ${name} must be of type function. Received ${typeof fn}`);
  (err as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
  return err;
}

/**
 * Runs `load` (importing a Raft's module) with Date.now(), new Date(), Date() and performance.now() at the
 * start of virtual time: VIRTUAL_EPOCH_MS and 0, the values every run starts from. So the dslogs pattern
 * `const start = Date.now()` at a module's top sees the same epoch as each test's virtual clock, and
 * `Date.now() - start` is the test's virtual time (non-negative, restarting at 0 in every test) instead
 * of a huge negative number (a real-clock capture minus a virtual now). Only the clock is replaced, and
 * only until `load` settles.
 */
export async function withLoadClock<T>(load: () => Promise<T>): Promise<T> {
  const RealDate = REAL.Date;
  function LoadDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(VIRTUAL_EPOCH_MS).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [VIRTUAL_EPOCH_MS] : args, new.target) as unknown;
  }
  Object.defineProperties(LoadDate, {
    prototype: { value: RealDate.prototype },
    now: { value: () => VIRTUAL_EPOCH_MS, writable: true, configurable: true },
    parse: { value: RealDate.parse, writable: true, configurable: true },
    UTC: { value: RealDate.UTC, writable: true, configurable: true },
  });
  const dateDesc = Object.getOwnPropertyDescriptor(globalThis, "Date");
  const perfDesc = Object.getOwnPropertyDescriptor(performance, "now");
  Object.defineProperty(globalThis, "Date", { value: LoadDate, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(performance, "now", { value: () => 0, writable: true, configurable: true });
  try {
    return await load();
  } finally {
    if (dateDesc !== undefined) Object.defineProperty(globalThis, "Date", dateDesc);
    if (perfDesc !== undefined) Object.defineProperty(performance, "now", perfDesc);
    else delete (performance as unknown as Record<string, unknown>).now;
  }
}

/** A delay as Node takes it: longer than TIMEOUT_MAX, below 1 or not a number becomes 1 ms. */
function clampDelay(ms: unknown): number {
  const n = Number(ms);
  return n >= 1 && n <= TIMEOUT_MAX ? n : 1;
}

function dead(o: Owner): boolean {
  return o.inert || (o.runtime !== null && o.runtime.killed);
}

/**
 * The virtual timers of one run, and whose code runs now: the owner a new timer belongs to, and the
 * speaker of a print.
 */
class RunTimers {
  readonly timers = new Map<number, VirtualTimer>();
  private nextId = 1;
  /** The newest incarnation of each peer made in this run. */
  readonly latest = new Map<number, Owner>();
  /** Set while a make() call or a virtual timer callback runs. */
  running: Owner | null = null;
  /** Set while the harness calls a method of a real peer (wrapMake): whose prints they are. */
  calling = -1;

  constructor(readonly sim: Simulator) {}

  ownerNow(): Owner {
    return this.running ?? this.latest.get(this.sim.owner) ?? { peer: this.sim.owner, runtime: null, inert: false };
  }

  /** Runs a user callback as `owner`; its microtasks drain before the clock moves (simulator.ts). */
  invoke(owner: Owner, fn: (...a: unknown[]) => unknown, args: readonly unknown[]): void {
    const sim = this.sim;
    const prev = this.running;
    this.running = owner;
    sim.needsDrain = true;
    try {
      const result = fn(...args);
      if (isThenable(result)) result.then(undefined, (err: unknown) => sim.onError(err));
    } finally {
      this.running = prev;
    }
  }

  /** A timer of the owner running now, armed in the simulator (an inert one inside a restart probe). */
  create(name: string, fn: unknown, delayMs: number, repeat: boolean, args: readonly unknown[]): VirtualTimer {
    if (typeof fn !== "function") throw callbackError(name, fn);
    if (probeScope() !== null) {
      // A restart probe's copy: an inert handle that never enters the simulator (so no event, no tie-break draw).
      const inert = new VirtualTimer(0, () => {});
      inert.cancelled = true;
      return inert;
    }
    const owner = this.ownerNow();
    const arm = (t: VirtualTimer): void => {
      if (dead(owner) || this.sim.stopped) return;
      const ev = this.sim.schedule(delayMs, () => this.fire(t, owner, fn as (...a: unknown[]) => unknown, repeat, args, arm), owner.peer);
      t.cancelEvent = () => {
        ev.cancelled = true;
      };
    };
    const t = new VirtualTimer(this.nextId++, arm);
    this.timers.set(t.id, t);
    arm(t);
    return t;
  }

  /** A timer's simulator event: runs its callback unless cancelled or its owner is dead; an interval re-arms. */
  private fire(
    t: VirtualTimer,
    owner: Owner,
    fn: (...a: unknown[]) => unknown,
    repeat: boolean,
    args: readonly unknown[],
    arm: (t: VirtualTimer) => void,
  ): void {
    if (t.cancelled) return;
    if (dead(owner)) {
      t.cancelled = true;
      this.timers.delete(t.id);
      return;
    }
    if (!repeat) {
      t.cancelled = true;
      this.timers.delete(t.id);
    }
    try {
      this.invoke(owner, fn, args);
    } finally {
      if (repeat && !t.cancelled) arm(t);
    }
  }

  /** clearTimeout and its kin: a virtual timer (or its number) is cancelled, anything else goes to `realClear`. */
  clearer(realClear: (h: never) => void): (handle: unknown) => void {
    return (handle) => {
      if (handle === null || handle === undefined) return;
      const t =
        handle instanceof VirtualTimer ? handle : typeof handle === "number" || typeof handle === "string" ? this.timers.get(Number(handle)) : undefined;
      if (t !== undefined) {
        t.close();
        this.timers.delete(t.id);
        return;
      }
      // A real timer made outside the run (the runner's own wall-clock limit, or one from module load).
      realClear(handle as never);
    };
  }
}

/** Date on the virtual clock: `Date()`, `new Date()` and `Date.now()` read the simulator's time. */
function virtualDate(sim: Simulator): DateConstructor {
  const RealDate = REAL.Date;
  const dateNow = (): number => Math.floor(VIRTUAL_EPOCH_MS + sim.now);
  function VirtualDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return new RealDate(dateNow()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [dateNow()] : args, new.target) as unknown;
  }
  Object.defineProperties(VirtualDate, {
    prototype: { value: RealDate.prototype },
    now: { value: dateNow, writable: true, configurable: true },
    parse: { value: RealDate.parse, writable: true, configurable: true },
    UTC: { value: RealDate.UTC, writable: true, configurable: true },
  });
  return VirtualDate as unknown as DateConstructor;
}

/** process.hrtime (and its bigint) on the virtual clock. */
function virtualHrtime(sim: Simulator): ((prev?: readonly [number, number]) => [number, number]) & { bigint: () => bigint } {
  const hrtime = (prev?: readonly [number, number]): [number, number] => {
    let ns = Math.round(sim.now * 1e6);
    if (prev !== undefined) ns -= prev[0] * 1e9 + prev[1];
    return [Math.floor(ns / 1e9), ns % 1e9];
  };
  hrtime.bigint = (): bigint => BigInt(Math.round(sim.now * 1e6));
  return hrtime;
}

/** What node:timers/promises rejects with when its signal aborts. */
function abortError(signal: AbortSignal): Error {
  const err = new Error("The operation was aborted", { cause: signal.reason });
  // Defined, not assigned: under frozen intrinsics (isolation/freeze.ts) Error.prototype.name is read-only.
  Object.defineProperty(err, "name", { value: "AbortError", writable: true, configurable: true, enumerable: false });
  (err as Error & { code: string }).code = "ABORT_ERR";
  return err;
}

type TimerOptions = { signal?: AbortSignal };

/** node:timers/promises (and util.promisify(setTimeout)): promises settled by virtual timers. */
function timerPromises(run: RunTimers) {
  const promised =
    (name: string, delayOf: (ms: unknown) => number) =>
    <T>(ms?: unknown, value?: T, options?: TimerOptions): Promise<T | undefined> =>
      new Promise<T | undefined>((resolve, reject) => {
        const signal = options?.signal;
        if (signal?.aborted === true) return reject(abortError(signal));
        const onAbort = (): void => {
          t.close();
          run.timers.delete(t.id);
          reject(abortError(signal as AbortSignal));
        };
        const t = run.create(
          name,
          () => {
            signal?.removeEventListener("abort", onAbort);
            resolve(value);
          },
          delayOf(ms),
          false,
          [],
        );
        signal?.addEventListener("abort", onAbort, { once: true });
      });
  const sleepPromise = promised("setTimeout", clampDelay);
  const immediatePromise = <T>(value?: T, options?: TimerOptions) => promised("setImmediate", () => 0)<T>(0, value, options);
  async function* intervalIterator<T>(ms?: unknown, value?: T, options?: TimerOptions): AsyncGenerator<T | undefined> {
    for (;;) yield await sleepPromise(ms, value, options);
  }
  return { sleepPromise, immediatePromise, intervalIterator };
}

/** The values of PATCHED, in its order, for one run. */
function patchValues(run: RunTimers, prng: Prng, warn: VirtualGlobalsOptions["warn"]): unknown[] {
  const { sleepPromise, immediatePromise, intervalIterator } = timerPromises(run);
  const warned = <F extends (...a: never[]) => unknown>(name: string, why: string, real: F, self: unknown): F =>
    ((...a: Parameters<F>) => {
      warn(`Unvirtualized ${name}`, `${name}() is not virtualized (${why}): the run may not replay from its seed; use the Runtime passed to make()`);
      return real.apply(self, a);
    }) as unknown as F;
  const webCrypto = globalThis.crypto;
  const vSetTimeout = Object.assign((fn: unknown, ms?: unknown, ...args: unknown[]) => run.create("setTimeout", fn, clampDelay(ms), false, args), {
    [promisify.custom]: sleepPromise,
  });
  const vSetImmediate = Object.assign((fn: unknown, ...args: unknown[]) => run.create("setImmediate", fn, 0, false, args), {
    [promisify.custom]: immediatePromise,
  });
  const vSetInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => run.create("setInterval", fn, clampDelay(ms), true, args);
  const vClearTimeout = run.clearer(REAL.clearTimeout as (h: never) => void);
  const vClearInterval = run.clearer(REAL.clearInterval as (h: never) => void);
  const vClearImmediate = run.clearer(REAL.clearImmediate as (h: never) => void);
  const timers = [vSetTimeout, vClearTimeout, vSetInterval, vClearInterval, vSetImmediate, vClearImmediate];
  return [
    ...timers,
    virtualDate(run.sim),
    mathRandomValue(() => (probeScope()?.prng ?? prng).next()),
    (): number => run.sim.now,
    virtualHrtime(run.sim),
    warned("process.uptime", "real seconds since the process started", REAL.uptime, process),
    warned("crypto.getRandomValues", "real randomness", webCrypto.getRandomValues, webCrypto),
    warned("crypto.randomUUID", "real randomness", webCrypto.randomUUID, webCrypto),
    // node:timers, then node:timers/promises.
    ...timers,
    sleepPromise,
    immediatePromise,
    intervalIterator,
  ];
}

/** `rf` with the harness's calls of its methods (start() from a test body, kill()) attributed to `me`. */
function attributed(run: RunTimers, rf: ReturnType<MakeRaft>, me: number): ReturnType<MakeRaft> {
  if (rf === null || typeof rf !== "object") return rf; // config.ts reports the bad shape
  const view = Object.create(rf) as Record<string, unknown>;
  for (const m of PEER_METHODS) {
    const fn = (rf as unknown as Record<string, unknown>)[m];
    if (typeof fn !== "function") continue;
    view[m] = (...args: unknown[]): unknown => {
      const prev = run.calling;
      run.calling = me;
      try {
        return (fn as (...a: unknown[]) => unknown).apply(rf, args);
      } finally {
        run.calling = prev;
      }
    };
  }
  return view as unknown as ReturnType<MakeRaft>;
}

/** `impl` whose make() calls run as their peer's new incarnation (a restart probe's copy: inert). */
function ownedMake(run: RunTimers, impl: MakeRaft): MakeRaft {
  const wrapped: MakeRaft = (peers, me, persister, applyCh, runtime) => {
    const owner: Owner = runtime instanceof PeerRuntime ? { peer: me, runtime, inert: false } : { peer: me, runtime: null, inert: true };
    if (!owner.inert) run.latest.set(me, owner);
    const prev = run.running;
    run.running = owner;
    let rf: ReturnType<MakeRaft>;
    try {
      rf = impl(peers, me, persister, applyCh, runtime);
    } finally {
      run.running = prev;
    }
    return owner.inert ? rf : attributed(run, rf, me);
  };
  return Object.assign(wrapped, impl);
}

/**
 * The virtual globals of one run of `sim`: `install()` when the run starts, `restore()` when it ends
 * (also on failure). Code of the tester that runs meanwhile and needs the wall clock must use functions
 * it took at load (as simulator.ts and config.ts do).
 */
export function virtualGlobals(opts: VirtualGlobalsOptions): VirtualGlobals {
  const { sim, prng, warn } = opts;
  const run = new RunTimers(sim);
  const values = patchValues(run, prng, warn);
  const entry = { apply: () => setAll(values) };
  return {
    install(): void {
      if (active.includes(entry)) return;
      active.push(entry);
      entry.apply();
    },
    wrapMake(impl: MakeRaft): MakeRaft {
      return ownedMake(run, impl);
    },
    speaker(): number {
      if (run.running !== null) return run.running.peer;
      return run.calling >= 0 ? run.calling : sim.owner;
    },
    restore(): void {
      const i = active.indexOf(entry);
      if (i < 0) return;
      active.splice(i, 1);
      if (i < active.length) return; // a later run owns the globals; they go back when it ends
      const top = active.at(-1);
      if (top !== undefined) top.apply();
      else putBackOriginals();
    },
  };
}
