// Bounds a run's trace when virtual time stands still, or crawls (an event storm, see sim/livelock.ts). A
// correct Raft emits a few hundred events at one instant at most; a livelocked one emits millions before
// the simulator gives up. Past TRACE_ELIDE_AFTER_EVENTS events at one instant (or STORM_TRACE_AFTER in
// one storm window), trace events go into a ring of the last TRACE_TAIL_EVENTS instead of the sink; when
// the stretch ends, or the run does, one `Note` says how many were left out and the ring follows. So a
// looping run's trace (and its replay) is bounded and ends with the loop itself, and a normal run's
// trace is untouched.

import type { TraceEvent, TraceSink } from "@raftlab/raft";
import type { Simulator } from "../sim/simulator.js";
import { STORM_TRACE_AFTER, type StormWatch } from "../sim/livelock.js";
import { harnessEvent } from "../net/events.js";

export const TRACE_ELIDE_AFTER_EVENTS = 20_000;
export const TRACE_TAIL_EVENTS = 2_000;

export class TraceGuard {
  private readonly ring: TraceEvent[] = [];
  private head = 0;
  private elided = 0;
  private elidedAt = 0;
  private closed = false;

  constructor(
    private readonly out: TraceSink,
    private readonly sim: Simulator,
    private readonly storm: StormWatch | null = null,
  ) {}

  private looping(): boolean {
    return this.sim.frozenEvents >= TRACE_ELIDE_AFTER_EVENTS || (this.storm !== null && this.storm.count >= STORM_TRACE_AFTER);
  }

  readonly sink: TraceSink = (e) => {
    if (this.closed || !this.looping()) {
      if (this.elided > 0) this.flush();
      this.out(e);
      return;
    }
    if (this.elided === 0) this.elidedAt = this.sim.now;
    this.elided++;
    if (this.ring.length < TRACE_TAIL_EVENTS) this.ring.push(e);
    else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % TRACE_TAIL_EVENTS;
    }
  };

  /** The run is over: write what the ring holds and pass every later event (TestFail, TestEnd) through. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** Writes the elision note and the ring's tail, oldest first. */
  flush(): void {
    if (this.elided === 0) return;
    const kept = this.ring.length;
    const left = this.elided - kept;
    const msg =
      `${left.toLocaleString("en-US")} trace events left out: from t=${Math.round(this.elidedAt)} ms virtual time stood still for more than ` +
      `${TRACE_ELIDE_AFTER_EVENTS.toLocaleString("en-US")} events (or crawled: ${STORM_TRACE_AFTER.toLocaleString("en-US")} events within a second); the last ${kept.toLocaleString("en-US")} follow`;
    this.out({ ...harnessEvent(this.elidedAt, "Note", "WARN", msg) });
    for (let k = 0; k < kept; k++) this.out(this.ring[(this.head + k) % kept] as TraceEvent);
    this.ring.length = 0;
    this.head = 0;
    this.elided = 0;
  }
}
