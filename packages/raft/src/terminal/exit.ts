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

/**
 * Exit code 2 as every --help states it. One rule for all commands: an input file named on the command
 * line that is missing or cannot be opened (or is not the kind of file the command reads) is a usage
 * error, like a bad flag: the command could not start. Exit 1 is kept for what the command found (a
 * failing run) or could not finish (an output it could not write, a read that broke off).
 */
export const EXIT_USAGE_TEXT = "2 usage error (a bad flag or argument, or an input file that is missing or unreadable)";

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for a process ended by `signal` (128 + its number), as a shell reports it. */
export function signalExitCode(signal: "SIGHUP" | "SIGINT" | "SIGTERM"): number {
  return signal === "SIGHUP" ? EXIT.HANGUP : signal === "SIGINT" ? EXIT.INTERRUPTED : EXIT.TERMINATED;
}
