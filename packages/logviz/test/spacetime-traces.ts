// Traces for the space-time view's and the HTML page's tests: a real run of our Raft (which traces its
// own RPCs), and the same kind of run of an "uninstrumented" Raft, whose messages come only from the
// tester's network (packages/tester/src/net/rpc-trace.ts).
import { formatTraceEvent, make, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { runTest } from "@raftlab/tester";

/** Our Raft with its own tracing switched off: the tester then traces its RPCs at the network. */
const uninstrumented: MakeRaft = (peers, me, persister, applyCh, runtime) =>
  make(peers, me, persister, applyCh, Object.create(runtime, { trace: { value: null } }));

async function run(test: string, seed: number, impl?: MakeRaft): Promise<{ events: TraceEvent[]; text: string }> {
  const events: TraceEvent[] = [];
  await runTest(test, { seed, trace: (e) => events.push(e), ...(impl ? { impl } : {}) });
  return { events, text: events.map(formatTraceEvent).join("\n") + "\n" };
}

export const realTrace = (test: string, seed: number): Promise<{ events: TraceEvent[]; text: string }> => run(test, seed);
export const rpcTrace = (test: string, seed: number): Promise<{ events: TraceEvent[]; text: string }> => run(test, seed, uninstrumented);

/** Receipts in a trace (each is one delivered message: our traces never receive without a send). */
export function receipts(events: readonly TraceEvent[]): number {
  return events.filter((e) => e.src >= 0 && e.dir === "recv" && typeof e.id === "string").length;
}
