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

/** One line describing an exception thrown by the code under test, with where it came from. */
export function describeCrash(err: unknown): string {
  if (!(err instanceof Error)) return `threw a non-Error value: ${String(err).split("\n")[0] ?? ""}`;
  const first = `${err.name}: ${err.message}`.split("\n")[0] ?? err.name;
  const frame = (err.stack ?? "")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("at ") && !l.includes("node:internal"));
  const where = frame === undefined ? "" : ` (${frame.replace(/^at /, "").replace(/^.*\((.*)\)$/, "$1").replace(/^file:\/\//, "")})`;
  return `${first}${where}`;
}
