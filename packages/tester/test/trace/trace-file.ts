// The worker side of RAFT_TRACE=1 (see trace-reporter.ts for why traces go through files): a run's
// trace is buffered, written to a file of its own when the run ends, and the file's path is attached to
// the test's result for the reporter in vitest's main process to copy to stdout.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatTraceEvent, type TraceSink } from "@raftlab/raft";
import type { TaskMeta } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    /** RAFT_TRACE=1: the file holding this test's run trace (JSON lines), for the trace reporter. */
    raftTrace?: string;
  }
}

export const TRACE_ON = process.env.RAFT_TRACE === "1";

/** A sink for one run's trace and a function that hands it to the reporter; a no-op without RAFT_TRACE. */
export function traceForReporter(meta: TaskMeta): { sink: TraceSink | null; done: () => void } {
  if (!TRACE_ON) return { sink: null, done: () => {} };
  const lines: string[] = [];
  return {
    sink: (e) => void lines.push(formatTraceEvent(e)),
    done: () => {
      if (lines.length === 0) return;
      // A folder per run, removed with the file by the reporter.
      const file = join(mkdtempSync(join(tmpdir(), "raftlab-trace-")), "run.jsonl");
      writeFileSync(file, lines.join("\n") + "\n");
      meta.raftTrace = file;
    },
  };
}
