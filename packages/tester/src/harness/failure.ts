// How a run can fail, and the exception that unwinds a test body (Go's t.Fatalf).

export type FailureKind = "fail" | "violation" | "timeout" | "crash";

export interface RunFailure {
  readonly kind: FailureKind;
  readonly message: string;
  /** The violated property, for kind "violation". */
  readonly invariant?: string;
}

/** Thrown inside a test body to stop it; the failure itself is already recorded on the context. */
export class TestFailure extends Error {
  override name = "TestFailure";
}

/** `read()`, or `fallback` when reading throws: a thrown value's getters and traps are the Raft's code. */
function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** The first line of String(v), or a description of v when converting it throws (a hostile toString or Proxy). */
function firstLine(v: unknown, what: string): string {
  return attempt(() => String(v).split("\n")[0] ?? "", `(${what} cannot be turned into text: converting it threw)`);
}

/**
 * One line describing an exception thrown by the code under test, with where it came from. Never
 * throws: an object whose toString, name, message or stack throw, or a Proxy whose traps throw, is
 * described as far as it lets itself be.
 */
export function describeCrash(err: unknown): string {
  const isError = attempt(() => err instanceof Error, false);
  if (!isError) return `threw a non-Error value: ${firstLine(err, "the value")}`;
  const e = err as Error;
  const name = firstLine(
    attempt(() => e.name, "Error"),
    "its name",
  );
  const message = firstLine(
    attempt(() => e.message, "(reading its message threw)"),
    "its message",
  );
  const first = `${name}: ${message}`;
  const stack = attempt(() => {
    const s = e.stack;
    return typeof s === "string" ? s : "";
  }, "");
  const frame = stack
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("at ") && !l.includes("node:internal"));
  const where =
    frame === undefined
      ? ""
      : ` (${frame
          .replace(/^at /, "")
          .replace(/^.*\((.*)\)$/, "$1")
          .replace(/^file:\/\//, "")})`;
  return `${first}${where}`;
}
