// `raftlab run`'s guards on the process: a run counts as passed only when the tester saw it finish,
// and a stdout that fails is one line, not a stack trace.

import { EXIT } from "@raftlab/raft/terminal";
import { describeWriteError } from "./trace-writer.js";

/** Whether the current `raftlab run` printed its summary; an exit before that is a failure. */
let runSummarised = true;

/** Marks whether the current run has printed its summary (or ended with a usage error). */
export function setRunSummarised(done: boolean): void {
  runSummarised = done;
}

/** Installs the stdout error handler and the exit hook, once, when the raftlab CLI starts. */
export function installRunExitHooks(): void {
  // A reader that goes away (`| head`, logviz quit) ends the run quietly; any other write error of
  // stdout (a full disk under a redirect) is one line and exit code 1.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    setRunSummarised(true);
    process.stderr.write(`raftlab: cannot write to stdout: ${describeWriteError(err)}\n`);
    process.exit(EXIT.FAIL);
  });

  // A run counts as passed only when the tester saw it finish: an exit before the summary line (a Raft
  // that got past the process.exit guard, say from a stray timer between tests) is a failure.
  process.on("exit", (code) => {
    if (runSummarised) return;
    process.stderr.write(`raftlab run: the process exited (code ${code}) before the tests finished; counted as a failure\n`);
    if (code === 0) process.exitCode = EXIT.FAIL;
  });
}
