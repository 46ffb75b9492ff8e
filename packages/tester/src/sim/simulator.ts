// A discrete-event simulator with a virtual clock. Time jumps from one event to the next, so a test
// that sleeps for 30 s in the Go lab costs only the CPU its events need.
//
// Determinism: the only inputs are the seed (through the PRNG handed in) and the code under test.
// Events due at the same instant run in an order drawn from the PRNG. Promise continuations (test
// coroutines doing `await sleep(ms)`, a Raft awaiting `ClientEnd.call`) run as microtasks; after an
// event that settled a promise or started asynchronous user code, the loop drains the microtask queue
// completely (a `process.nextTick` hop, see drainMicrotasks) before the next
// event, so a continuation always runs at the virtual instant that woke it. Nothing else yields to the
// real event loop, so no real timer or I/O can reorder anything. The one optional wall-clock wait
// (`pace`) happens only right after such a drain, when the microtask queue is known to be empty, so a
// paced run is the same run as an unpaced one.

import type { Prng } from "@raftlab/raft";
import { EventHeap, type SimEvent } from "./heap.js";

// The real timers and clock, taken at load: during a run the globals may be the virtual ones (virtual-globals.ts).
const { setImmediate: realSetImmediate, setTimeout: realSetTimeout } = globalThis;
const wallNow: () => number = performance.now.bind(performance);

export interface SimOptions {
  /** Draws the tie-breaks for same-instant events. */
  readonly prng: Prng;
  /** The run stops with "limit" before any event later than this (virtual ms). */
  readonly limitMs: number;
  /** The run stops with "events" after this many events (a guard against a Raft that loops in zero time). */
  readonly maxEvents: number;
  /** Virtual ms per wall ms (1 = real time); undefined or 0 runs as fast as possible. */
  readonly pace?: number;
  /**
   * The run stops with "livelock" once this many events in a row ran without virtual time advancing
   * (default LIVELOCK_EVENTS): peers ping-ponging messages at one instant would otherwise spin forever.
   */
  readonly livelockEvents?: number;
}

/** Why `run` returned. */
export type SimStop = "stopped" | "limit" | "events" | "idle" | "livelock";

/**
 * Events in a row at one virtual instant that count as a livelock. A correct Raft needs a few hundred at
 * most (a whole reliable-network round of every peer happens at one instant); 200,000 is far above
 * anything the lab suite produces on our Raft or the example at 200 seeds (see README).
 */
export const LIVELOCK_EVENTS = 200_000;

/** At most this many events may be pending at once (a Raft scheduling timers in a loop fails, not the machine). */
export const MAX_PENDING_EVENTS = 2_000_000;

export class TooManyEventsError extends Error {
  override name = "TooManyEventsError";
}

const NEVER: Promise<never> = new Promise<never>(() => {});

/**
 * Resolves once the microtask queue is empty; call it only from a microtask (the run loop after its
 * first await). Usually a `process.nextTick` hop: Node runs a tick queued from a microtask only after
 * runMicrotasks() has emptied the queue, which is the full drain needed,
 * without a turn of the event loop (a `setImmediate` hop cost ~3 µs, and there is one per RPC reply:
 * about a fifth of the lab suite's wall time). Every DRAINS_PER_TURN-th drain is a `setImmediate`
 * instead, so the real event loop still gets a turn (the runner's --timeout timer, a batch worker's
 * messages, signals). Both drain completely, so which one ran never changes the simulated run. A Raft
 * that itself schedules work with process.nextTick is outside the Runtime contract (setTimeout and the
 * other timers are not: a run replaces them with virtual ones, virtual-globals.ts).
 */
const DRAINS_PER_TURN = 256;
let drains = 0;
const drainMicrotasks = (): Promise<void> =>
  new Promise<void>((resolve) => {
    if (++drains % DRAINS_PER_TURN === 0) realSetImmediate(resolve);
    else process.nextTick(resolve);
  });
const wallSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

export class Simulator {
  /** The virtual clock, in ms since the cluster started. */
  now = 0;
  stopped = false;
  /** Set by whatever settles a promise or starts async user code; the loop drains microtasks next. */
  needsDrain = false;
  eventsRun = 0;
  /** The owner of the event running now (or whose microtasks are draining); -1: harness. */
  owner = -1;
  /** Events run since virtual time last advanced (the current instant's count, minus one). */
  frozenEvents = 0;
  /** The largest `frozenEvents` of the run so far (for the README's margin figures). */
  maxFrozenEvents = 0;
  /** Events per owner (index owner + 1) at the current instant, counted once the instant looks stuck. */
  readonly frozenByOwner = new Map<number, number>();
  /** Called with anything an event throws (the runner turns it into a "crash" failure). */
  onError: (err: unknown) => void = (err) => {
    throw err;
  };
  /** Called after each event of a peer (and the microtasks it caused), for online invariant checks. */
  afterEvent: ((owner: number) => void) | null = null;

  private readonly heap = new EventHeap();
  private seq = 0;
  private readonly opts: SimOptions;

  constructor(opts: SimOptions) {
    this.opts = opts;
  }

  /** Runs `fn` `delayMs` from now. `owner` is the peer whose code it runs (-1: harness). */
  schedule(delayMs: number, fn: () => void, owner = -1): SimEvent {
    if (!(delayMs >= 0)) throw new RangeError(`cannot schedule an event ${delayMs} ms from now`);
    const ev: SimEvent = { time: this.now + delayMs, tie: this.opts.prng.next(), seq: this.seq++, owner, fn, cancelled: false };
    if (this.stopped) return ev;
    if (this.heap.size >= MAX_PENDING_EVENTS) {
      this.onError(new TooManyEventsError(`more than ${MAX_PENDING_EVENTS} events pending at once (timers or RPCs created in a loop?)`));
      this.stop();
      return ev;
    }
    this.heap.push(ev);
    return ev;
  }

  /** A promise resolved `ms` of virtual time from now (never, once the run has stopped). */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return NEVER;
    return new Promise<void>((resolve) => {
      this.schedule(Math.max(0, ms), () => {
        this.needsDrain = true;
        resolve();
      });
    });
  }

  /** Stops the run: no further event runs, and pending sleeps never resolve. */
  stop(): void {
    this.stopped = true;
  }

  get pending(): number {
    return this.heap.size;
  }

  async run(): Promise<SimStop> {
    const { limitMs, maxEvents } = this.opts;
    const livelockEvents = this.opts.livelockEvents ?? LIVELOCK_EVENTS;
    // Per-owner counts start well before the limit, so a livelock message can name who was running.
    const countOwnersAfter = Math.floor(livelockEvents / 2);
    const pace = this.opts.pace ?? 0;
    const wallStart = wallNow();
    const heap = this.heap;
    // Let whatever the caller started synchronously settle first (e.g. a test body's first awaits).
    // A macrotask hop: the caller may not be running inside a microtask, where a tick would not wait
    // for the whole queue.
    await new Promise<void>((resolve) => realSetImmediate(resolve));
    while (!this.stopped) {
      const ev = heap.pop();
      if (ev === undefined) return "idle";
      if (ev.cancelled) continue;
      if (ev.time > limitMs) return "limit";
      if (this.eventsRun >= maxEvents) return "events";
      if (ev.time !== this.now) {
        this.now = ev.time;
        if (this.frozenEvents > this.maxFrozenEvents) this.maxFrozenEvents = this.frozenEvents;
        this.frozenEvents = 0;
        if (this.frozenByOwner.size > 0) this.frozenByOwner.clear();
      } else if (++this.frozenEvents >= countOwnersAfter) {
        if (this.frozenEvents >= livelockEvents) {
          this.maxFrozenEvents = this.frozenEvents;
          return "livelock";
        }
        this.frozenByOwner.set(ev.owner, (this.frozenByOwner.get(ev.owner) ?? 0) + 1);
      }
      this.eventsRun++;
      this.owner = ev.owner;
      try {
        ev.fn();
      } catch (err) {
        this.onError(err);
      }
      if (this.needsDrain) {
        this.needsDrain = false;
        await drainMicrotasks();
        if (pace > 0 && !this.stopped) {
          const next = heap.peek();
          if (next !== undefined) {
            const wait = wallStart + Math.min(next.time, limitMs) / pace - wallNow();
            if (wait > 1) await wallSleep(wait);
          }
        }
      }
      if (this.afterEvent !== null && ev.owner >= 0 && !this.stopped) this.afterEvent(ev.owner);
    }
    return "stopped";
  }
}

export { NEVER };
