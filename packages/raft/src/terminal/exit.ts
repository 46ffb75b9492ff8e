// The exit codes of every raftlab CLI (raftlab, logviz, pnpm bench). 128 + N is how a shell reports a
// process that signal N ended; a CLI that handles the signal exits with the same code.
export const EXIT = {
  /** Everything passed / done. */
  OK: 0,
  /** A test, run, case or iteration failed, or an output could not be written. */
  FAIL: 1,
  /** A usage error: bad flag, unknown pattern, unreadable input named on the command line. */
  USAGE: 2,
  /** 128 + SIGHUP: the terminal went away. */
  HANGUP: 129,
  /** 128 + SIGINT: Ctrl-C. */
  INTERRUPTED: 130,
  /** 128 + SIGKILL: the watchdog killed a Raft that blocked the thread past --timeout. */
  KILLED: 137,
  /** 128 + SIGTERM. */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for a process ended by `signal` (128 + its number), as a shell reports it. */
export function signalExitCode(signal: "SIGHUP" | "SIGINT" | "SIGTERM"): number {
  return signal === "SIGHUP" ? EXIT.HANGUP : signal === "SIGINT" ? EXIT.INTERRUPTED : EXIT.TERMINATED;
}
