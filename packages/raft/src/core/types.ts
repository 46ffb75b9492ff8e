// The core's inputs, effects and configuration. The messages themselves (entries, RPC arguments and
// replies, OutRequest) are in messages.ts.

import type { ApplyMsg, Value } from "../api.js";
import type { TraceEvent } from "../trace.js";
import type { OutRequest } from "./messages.js";

export type Role = "follower" | "candidate" | "leader";

/** One input to the core. Every input carries the current time; the core never reads a clock. */
export type Input =
  /** Time advanced (a timer the core asked for fired, or any other wake-up). */
  | { readonly kind: "tick"; readonly now: number }
  /** An incoming RPC; the reply is returned in `StepOutput.reply`. */
  | { readonly kind: "request"; readonly now: number; readonly method: string; readonly args: Value; readonly id?: string }
  /** The reply (or `null`: lost, timed out, peer down) to a request the core asked to send. */
  | { readonly kind: "reply"; readonly now: number; readonly request: OutRequest; readonly reply: Value | null }
  /** The service proposes a command. */
  | { readonly kind: "start"; readonly now: number; readonly command: Value }
  /** The service has applied everything up to `index` and hands over its snapshot. */
  | { readonly kind: "snapshot"; readonly now: number; readonly index: number; readonly data: Uint8Array };

/** What to write to stable storage, atomically, before anything else in the same output happens. */
export interface PersistEffect {
  /**
   * The encoded state (persist.ts). A view of the log's buffer, valid until the core's next step:
   * save it (the persister copies) before stepping again, as the driver does.
   */
  readonly state: Uint8Array;
  readonly snapshot: Uint8Array | null;
}

/** What the service sees from `start()`. */
export interface StartOutcome {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

/**
 * The effects of one step, to be carried out in this order: persist, then send (and return `reply`),
 * then apply. `trace` holds the events of the step (empty when tracing is off). `wakeAt` is the time
 * the core next wants a tick; an earlier tick is harmless.
 */
export interface StepOutput {
  persist: PersistEffect | null;
  readonly send: OutRequest[];
  reply: Value | null;
  readonly apply: ApplyMsg[];
  readonly trace: TraceEvent[];
  wakeAt: number;
  start: StartOutcome | null;
}

export interface CoreConfig {
  readonly me: number;
  readonly peerCount: number;
  /** Election timeouts are drawn uniformly from [min, max). */
  readonly electionTimeoutMinMs: number;
  readonly electionTimeoutMaxMs: number;
  /** A leader sends to each peer at least this often, and heartbeats no more often. */
  readonly heartbeatMs: number;
  readonly maxEntriesPerAppend: number;
  /** Bound on the encoded size of the commands in one AppendEntries (at least one entry is sent). */
  readonly maxBytesPerAppend: number;
  /** Bound on ApplyMsgs per step; the rest follow at the next (immediate) wake-up. */
  readonly maxAppliesPerStep: number;
  /** When false, the core builds no trace events and no strings for them. */
  readonly tracing: boolean;
}

/** Where the core draws randomness from (a seeded Prng from prng.ts, or a Runtime's random). */
export interface RandomSource {
  next(): number;
}
