// The schedule file's format: every decision a run drew from randomness, as versioned JSON (written and
// replayed by @raftlab/tester's src/schedule/, shrunk by its src/shrink/). It lives here, beside the trace
// schema, because it is a contract between packages: logviz reads a schedule to mark the trace rows its
// faults caused (`logviz TRACE --schedule FILE`), and must not import the tester. docs/trace-format.md
// describes the fields; the tester's schedule/format.ts says what each decision means for a run.

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
