// The one usage error of every CLI: bad input named on the command line. The CLI prints its message as
// one line (`<command>: <message>`) and exits EXIT.USAGE (2), never with a stack trace.
export class UsageError extends Error {
  override readonly name = "UsageError";
}
