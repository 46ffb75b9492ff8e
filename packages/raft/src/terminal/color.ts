// Whether a CLI colours a stream, decided once per stream, following no-color.org:
//   1. NO_COLOR set and non-empty: no colour (an empty NO_COLOR is as if unset, per no-color.org);
//   2. FORCE_COLOR set: colour, unless it is "0" or "false" (the convention of chalk and Node);
//   3. TERM=dumb: no colour (a dumb terminal prints escape codes as text; raftlab run and conform
//      always honoured this, and it is what chalk's own detection does);
//   4. otherwise colour exactly when the stream is a TTY.
// A command-line flag (logviz --color/--no-color) is the caller's to apply before this.

/** The part of a stream the decision looks at. */
export interface ColorStream {
  readonly isTTY?: boolean;
}

export function colorEnabled(stream: ColorStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env["TERM"] === "dumb") return false;
  return stream.isTTY === true;
}
