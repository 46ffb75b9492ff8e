// The schedule file: every decision a run drew from randomness, as versioned JSON, so a run can be
// replayed without its seed's streams and shrunk fault by fault (src/shrink/). What it holds:
//   - net:     per message (direction and ordinal), the network's choices: how long an unreachable
//              call takes to fail (u), the request's delay (d), whether the request (q) or the reply
//              (r) is dropped, how long the reply is held by long reordering (h);
//   - script:  each lifecycle step of the test script (crash, start, connect, disconnect, unreliable,
//              reordering), which server, when, whether it injected a fault, and whether it is left out;
//   - tester:  the test's own draws (rand.Intn), one queue per bound, so a draw at one kind of site
//              never takes a value meant for another;
//   - peers:   each incarnation's Runtime.random() draws (our Raft's election timeouts);
//   - math:    the virtualised Math.random() draws, per peer that made them.
// The order of events due at the same instant stays drawn from `seed` (one number per event: too many
// to list), and so does any draw a schedule does not list; a message or step it does not list gets
// no fault.

/** The `format` field of every schedule file. */
export const SCHEDULE_FORMAT = "raftlab-schedule";
export const SCHEDULE_VERSION = 1;
/** Files larger than this are refused before parsing. */
export const MAX_SCHEDULE_BYTES = 64 * 1024 * 1024;

export type ScheduleOp = "crash" | "start" | "connect" | "disconnect" | "unreliable" | "reordering";

export interface ScriptStep {
  readonly op: ScheduleOp;
  /** The how-manieth step of this op (0, 1, ...): what replay matches it by. */
  readonly k: number;
  /** The server (-1 for the network-wide ops). */
  readonly peer: number;
  /** Virtual ms. */
  readonly t: number;
  /** The step injected a fault (only faults can be left out). */
  readonly fault: boolean;
  /** Left out on replay. */
  readonly skip?: boolean;
}

export interface NetDecision {
  readonly from: number;
  readonly to: number;
  /** The how-manieth call on this direction. */
  readonly n: number;
  readonly method: string;
  /** Virtual ms when the call was made. */
  readonly t: number;
  readonly u?: number;
  readonly d?: number;
  readonly q?: boolean;
  readonly r?: boolean;
  readonly h?: number;
}

export interface Schedule {
  readonly format: typeof SCHEDULE_FORMAT;
  readonly version: typeof SCHEDULE_VERSION;
  readonly test: string;
  readonly seed: number;
  readonly servers: number;
  /** The --impl the schedule was recorded with (informational). */
  readonly impl?: string;
  readonly script: readonly ScriptStep[];
  readonly net: readonly NetDecision[];
  /** Bound ("f" for floats in [0, 1)) -> values in draw order. */
  readonly tester: Readonly<Record<string, readonly number[]>>;
  /** peer -> incarnation -> draws in [0, 1). */
  readonly peers: readonly (readonly (readonly number[])[])[];
  /** Owner ("-1": the harness) -> draws in [0, 1). */
  readonly math: Readonly<Record<string, readonly number[]>>;
}

export function netKey(from: number, to: number, n: number): string {
  return `${from}>${to}#${n}`;
}

export function stepKey(op: string, k: number): string {
  return `${op}#${k}`;
}
