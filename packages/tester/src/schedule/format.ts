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

export { MAX_SCHEDULE_BYTES, SCHEDULE_FORMAT, SCHEDULE_VERSION, type NetDecision, type Schedule, type ScheduleOp, type ScriptStep } from "@raftlab/raft/trace";

export function netKey(from: number, to: number, n: number): string {
  return `${from}>${to}#${n}`;
}

export function stepKey(op: string, k: number): string {
  return `${op}#${k}`;
}
