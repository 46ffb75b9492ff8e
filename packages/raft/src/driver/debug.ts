// A logging helper in the spirit of dslogs' `Debug(topic, format, ...)`: any lab-style Raft (ours or a
// student's) can write raftlab's trace format with it and get logviz's per-peer columns for free.
//
//   const debug = createDebug(runtime, me, () => ({ term: rf.currentTerm, state: rf.role }));
//   debug("VOTE", `S${me} granting vote to S${c} in T${t}`);
//   debug("LOG1", `S${me} -> S${p} AE prev=(${i},${t})`, { dst: p, from: me, prevLogIndex: i });
//
// When the runtime has no trace sink, `debug` returns at once: pass a template string only if that
// cost is acceptable, or check `debug.enabled` first around expensive formatting.

import type { Runtime } from "../api.js";
import type { DetailFields, MessageFields, Role, Topic } from "../trace.js";

export interface DebugState {
  readonly term: number;
  readonly state: Role;
}

export interface Debug {
  (topic: Topic, msg: string, fields?: MessageFields & DetailFields): void;
  /** False when tracing is off: skip building messages. */
  readonly enabled: boolean;
}

export function createDebug(runtime: Runtime, me: number, getState: () => DebugState): Debug {
  const sink = runtime.trace;
  const fn = (topic: Topic, msg: string, fields?: MessageFields & DetailFields): void => {
    if (sink === null) return;
    const { term, state } = getState();
    sink({ t: runtime.now(), src: me, term, state, op: "Log", topic, msg, ...fields });
  };
  return Object.assign(fn, { enabled: sink !== null });
}
