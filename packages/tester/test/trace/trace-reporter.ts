// With RAFT_TRACE=1, `pnpm test | logviz` shows every lab-suite run's trace. Vitest runs test files in
// several worker processes at once, and a write of more than PIPE_BUF (4 KiB) bytes to a pipe is not
// atomic: when each worker wrote its traces to the shared stdout, lines of different runs (and vitest's
// own output) were spliced mid-line. So the workers never write to stdout. Each run's trace goes to a
// file of its own (see trace-file.ts), whose path travels with the test's result (task meta); this
// reporter, in vitest's main process, copies each file to stdout when the result arrives. One process
// then writes stdout, one whole run at a time (stdout to a pipe or a file is synchronous in Node on
// Linux, so a write is complete before the next starts): every line arrives whole, every run's trace
// arrives in one piece from its TestBegin to its TestEnd, and vitest's own lines fall between runs.
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Reporter, TestCase } from "vitest/node";

export default class TraceReporter implements Reporter {
  onTestCaseResult(testCase: TestCase): void {
    const file = (testCase.meta() as { raftTrace?: unknown }).raftTrace;
    if (typeof file !== "string") return;
    try {
      const text = readFileSync(file, "utf8");
      if (text.length > 0) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
    } catch (e) {
      process.stderr.write(`RAFT_TRACE: cannot read the trace of ${testCase.fullName}: ${(e as Error).message}\n`);
    } finally {
      rmSync(file, { force: true });
      rmSync(dirname(file), { recursive: true, force: true });
    }
  }
}
