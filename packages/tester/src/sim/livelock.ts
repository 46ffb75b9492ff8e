// Naming a livelock: when virtual time stands still for LIVELOCK_EVENTS events, say which peers were
// exchanging which RPCs at that instant (the network counts requests per instant), or, if no RPC was
// involved, whose timers or callbacks kept the instant busy.

// The network (one floor up) counts this traffic; the type lives here, with the livelock message that
// reads it, so the simulator's floor never imports the network's.
/** Requests between two peers (either direction) of one method, all at the current virtual instant. */
export interface InstantTraffic {
  readonly a: number;
  readonly b: number;
  readonly method: string;
  count: number;
}

const fmt = (n: number): string => n.toLocaleString("en-US");

function pairName(t: InstantTraffic): string {
  const method = t.method.replace(/^.*\./, "");
  return t.a === t.b ? `S${t.a} sent itself ${fmt(t.count)} ${method}` : `S${t.a}⇄S${t.b} exchanged ${fmt(t.count)} ${method}`;
}

/**
 * One line, e.g. `livelock at t=8171 ms: S0⇄S2 exchanged 98,000 AppendEntries without time advancing`.
 * `traffic` is the current instant's requests (busiest first); `byOwner` the events each owner (peer,
 * or -1 for the tester) ran in the second half of the stuck stretch.
 */
export function describeLivelock(now: number, events: number, traffic: readonly InstantTraffic[], byOwner: ReadonlyMap<number, number>): string {
  const at = `livelock at t=${Math.round(now)} ms`;
  const total = traffic.reduce((s, t) => s + t.count, 0);
  // Name the pairs that carry most of the traffic (at most three), not every heartbeat of the instant.
  const busy = traffic.filter((t) => t.count * 10 >= total).slice(0, 3);
  if (busy.length > 0 && total >= events / 10) {
    return `${at}: ${busy.map(pairName).join(", ")} without time advancing (${fmt(events)} events at one instant)`;
  }
  const owners = [...byOwner.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 2);
  const who = owners.map(([o, n]) => `${o < 0 ? "the tester" : `S${o}`} ran ${fmt(n)}`).join(", ");
  return `${at}: ${fmt(events)} events without time advancing${who === "" ? "" : ` (${who} of the last ${fmt(Math.ceil(events / 2))}: timers or callbacks scheduled with no delay?)`}`;
}

/**
 * An event storm: virtual time advances, but in steps so small that a run would take millions of events
 * (a Raft whose timers or messages use near-zero delays). The lab suite's busiest second on our Raft and
 * on examples/simple-raft schedules under 10,000 events; STORM_EVENTS within one window of
 * STORM_WINDOW_MS is 50 times that, and far below the run's overall event limit.
 */
export const STORM_WINDOW_MS = 1000;
export const STORM_EVENTS = 500_000;
/** Past this many events in the current window, the trace keeps only its tail (trace-guard.ts). */
export const STORM_TRACE_AFTER = 50_000;

/** Counts the peers' events per window of virtual time (a window starts at its first event). */
export class StormWatch {
  private start = Number.NEGATIVE_INFINITY;
  count = 0;
  readonly byOwner = new Map<number, number>();

  /** One event of `owner` at `now`; true once the window holds STORM_EVENTS. */
  tick(now: number, owner: number): boolean {
    if (now - this.start >= STORM_WINDOW_MS) {
      this.start = now;
      this.count = 0;
      this.byOwner.clear();
    }
    this.count++;
    this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + 1);
    return this.count >= STORM_EVENTS;
  }

  /** One line, e.g. `event storm at t=2301 ms: 500,000 events within 1,000 ms of virtual time (S0 ran 250,010, S2 ran 249,990)`. */
  describe(now: number): string {
    const owners = [...this.byOwner.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 3);
    const who = owners.map(([o, n]) => `S${o} ran ${fmt(n)}`).join(", ");
    return `event storm at t=${Math.round(now)} ms: ${fmt(this.count)} events within ${fmt(STORM_WINDOW_MS)} ms of virtual time (${who}): timers or messages with near-zero delays?`;
  }
}
