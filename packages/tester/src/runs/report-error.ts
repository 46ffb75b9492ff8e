// The one-line error for a report (or journal, or output path) raftlab cannot read or write: the CLI
// prints its message and exits 2. Its own file so that the report readers' helpers can throw it too.

export class ReportError extends Error {
  override readonly name = "ReportError";
}
