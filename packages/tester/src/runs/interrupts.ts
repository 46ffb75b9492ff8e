// Ctrl-C for the commands that run many runs: the first one stops the run loop cleanly (its signal
// aborts; runs in flight are cancelled, the summary and reports are still written, the exit code is
// 130), a second one quits at once. SIGTERM (a CI job's cancel, `timeout`, systemd) can stop as
// cleanly as a first Ctrl-C; the exit code is then 143, as for a process killed by it.

import { EXIT } from "@raftlab/raft/terminal";

export interface Interrupts {
  /** Aborted at the first Ctrl-C (or SIGTERM): give it to the run loop. */
  readonly signal: AbortSignal;
  /** Whether SIGTERM stopped the loop (exit with EXIT.TERMINATED rather than EXIT.INTERRUPTED). */
  readonly terminated: boolean;
  /** Removes the handlers. */
  release(): void;
}

export interface InterruptOptions {
  /** Printed on stderr at the first Ctrl-C: what stopping does. */
  readonly stopping: string;
  /** Handle SIGTERM too (else it kills the process as usual). */
  readonly sigterm: boolean;
}

export function listenForInterrupts(options: InterruptOptions): Interrupts {
  const controller = new AbortController();
  let interrupts = 0;
  let terminated = false;
  const onSigint = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(`\n${options.stopping} (Ctrl-C again to quit at once)\n`);
      controller.abort();
    } else {
      process.exit(EXIT.INTERRUPTED);
    }
  };
  const onSigterm = (): void => {
    terminated = true;
    if (interrupts === 0) onSigint();
  };
  process.on("SIGINT", onSigint);
  if (options.sigterm) process.on("SIGTERM", onSigterm);
  return {
    signal: controller.signal,
    get terminated() {
      return terminated;
    },
    release() {
      process.off("SIGINT", onSigint);
      if (options.sigterm) process.off("SIGTERM", onSigterm);
    },
  };
}
