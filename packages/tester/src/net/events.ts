// Harness trace events (src = HARNESS, term -1, state "none"): test boundaries, faults the tester
// injects, network losses and invariant violations, in the schema of @raftlab/raft's trace.ts.

import { HARNESS, type DetailFields, type HarnessOp, type MessageFields, type Topic, type TraceEvent, type TraceSink } from "@raftlab/raft";

export type HarnessFields = MessageFields & DetailFields;

export function harnessEvent(t: number, op: HarnessOp, topic: Topic, msg: string, fields?: HarnessFields): TraceEvent {
  return { t, src: HARNESS, term: -1, state: "none", op, topic, msg, ...fields };
}

/** Emits a harness event if tracing is on; building the message is left to the caller's guard. */
export function emitHarness(sink: TraceSink | null, t: number, op: HarnessOp, topic: Topic, msg: string, fields?: HarnessFields): void {
  if (sink !== null) sink(harnessEvent(t, op, topic, msg, fields));
}
