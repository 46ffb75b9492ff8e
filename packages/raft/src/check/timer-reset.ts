// A trace-based conformance check for one Figure 2 rule that no lab test can observe from outside:
// "If election timeout elapses without receiving AppendEntries RPC from current leader or granting
// vote to candidate: convert to candidate". A peer that granted a vote must not time out sooner than
// its minimum election timeout after that grant (unless it heard from a leader since, which resets the
// timer anyway). It needs the implementation's minimum timeout, so it suits Rafts whose timing is known
// (ours: DEFAULT_TIMING.electionTimeoutMinMs), e.g. to show the tester catching the
// "no-timer-reset-on-vote" fixture. It reads the events our Raft emits: RequestVoteReply sends with
// voteGranted, AppendEntries receipts, ElectionTimeout.

import { HARNESS, type TraceEvent } from "../trace.js";

export interface TimerResetViolation {
  readonly peer: number;
  readonly t: number;
  readonly grantedAt: number;
  readonly message: string;
}

export class VoteTimerResetCheck {
  /** peer -> time of its latest vote grant (cleared by a leader's AppendEntries or a restart). */
  private readonly grantedAt = new Map<number, number>();

  constructor(private readonly electionTimeoutMinMs: number) {
    if (!(electionTimeoutMinMs > 0)) throw new RangeError(`electionTimeoutMinMs must be positive, got ${electionTimeoutMinMs}`);
  }

  /** Feeds one event; returns a violation when this event is one. */
  observe(e: TraceEvent): TimerResetViolation | null {
    if (e.src === HARNESS) {
      if ((e.op === "Crash" || e.op === "Restart") && e.peer !== undefined) this.grantedAt.delete(e.peer);
      return null;
    }
    if (e.op === "RequestVoteReply" && e.dir === "send" && e.voteGranted === true) {
      this.grantedAt.set(e.src, e.t);
    } else if (e.op === "AppendEntries" && e.dir === "recv" && e.mterm !== undefined && e.mterm >= e.term) {
      // A current leader's AppendEntries resets the timer too: a later timeout proves nothing.
      this.grantedAt.delete(e.src);
    } else if (e.op === "Restore") {
      this.grantedAt.delete(e.src);
    } else if (e.op === "ElectionTimeout") {
      const g = this.grantedAt.get(e.src);
      this.grantedAt.delete(e.src);
      if (g !== undefined && e.t - g < this.electionTimeoutMinMs) {
        return {
          peer: e.src,
          t: e.t,
          grantedAt: g,
          message:
            `S${e.src} timed out at ${e.t} ms, ${round(e.t - g)} ms after granting a vote at ${g} ms ` +
            `(< minimum election timeout ${this.electionTimeoutMinMs} ms): granting a vote did not reset the election timer`,
        };
      }
    }
    return null;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
