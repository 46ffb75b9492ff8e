// The one usage error of every CLI: bad input named on the command line. The CLI prints its message as
// one line (`<command>: <message>`) and exits EXIT.USAGE (2), never with a stack trace.
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Commander's error text as the one line every CLI prints: `error: ` dropped, and its suggestion line
 * ("(Did you mean --iterations?)", shown after an unknown option or command) kept on the same line.
 * Anything else after the first line is dropped. The caller escapes the line and adds its prefix.
 */
export function commanderErrorLine(text: string): string {
  const lines = text.replace(/^error: /, "").split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const first = lines[0] ?? "";
  const suggestion = lines.slice(1).map((l) => /^\(Did you mean (.+)\?\)$/.exec(l)).find((m) => m !== null);
  return suggestion === undefined || suggestion === null ? first : `${first}; did you mean ${suggestion[1]}?`;
}
