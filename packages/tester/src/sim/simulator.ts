// A discrete-event simulator with a virtual clock. Time jumps from one event to the next, so a test
// that sleeps for 30 s in the Go lab costs only the CPU its events need.
//
// Determinism: the only inputs are the seed (through the PRNG handed in) and the code under test.
// Events due at the same instant run in an order drawn from the PRNG. Promise continuations (test
// coroutines doing `await sleep(ms)`, a Raft awaiting `ClientEnd.call`) run as microtasks; after an
// event that settled a promise or started asynchronous user code, the loop drains the microtask queue
// completely (one `setImmediate` hop: Node runs every microtask before any macrotask) before the next
// event, so a continuation always runs at the virtual instant that woke it. Nothing else yields to the
// real event loop, so no real timer or I/O can reorder anything. The one optional wall-clock wait
// (`pace`) happens only right after such a drain, when the microtask queue is known to be empty, so a
// paced run is the same run as an unpaced one.

import type { Prng } from "@raftlab/raft";
import { EventHeap, type SimEvent } from "./heap.js";

export interface SimOptions {
  /** Draws the tie-breaks for same-instant events. */
  readonly prng: Prng;
  /** The run stops with "limit" before any event later than this (virtual ms). */
  readonly limitMs: number;
  /** The run stops with "events" after this many events (a guard against a Raft that loops in zero time). */
  readonly maxEvents: number;
  /** Virtual ms per wall ms (1 = real time); undefined or 0 runs as fast as possible. */
  readonly pace?: number;
}

/** Why `run` returned. */
export type SimStop = "stopped" | "limit" | "events" | "idle";

/** At most this many events may be pending at once (a Raft scheduling timers in a loop fails, not the machine). */
export const MAX_PENDING_EVENTS = 2_000_000;

export class TooManyEventsError extends Error {
  override name = "TooManyEventsError";
}

const NEVER: Promise<never> = new Promise<never>(() => {});

const drainMicrotasks = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
const wallSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Simulator {
  /** The virtual clock, in ms since the cluster started. */
  now = 0;
  stopped = false;
  /** Set by whatever settles a promise or starts async user code; the loop drains microtasks next. */
  needsDrain = false;
  eventsRun = 0;
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
    const pace = this.opts.pace ?? 0;
    const wallStart = performance.now();
    const heap = this.heap;
    // Let whatever the caller started synchronously settle first (e.g. a test body's first awaits).
    await drainMicrotasks();
    while (!this.stopped) {
      const ev = heap.pop();
      if (ev === undefined) return "idle";
      if (ev.cancelled) continue;
      if (ev.time > limitMs) return "limit";
      if (this.eventsRun >= maxEvents) return "events";
      this.now = ev.time;
      this.eventsRun++;
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
            const wait = wallStart + Math.min(next.time, limitMs) / pace - performance.now();
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
