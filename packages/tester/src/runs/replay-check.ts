// The verdict of replaying one failure group's example run (batch/verify.ts makes them), as reports
// store it and triage prints it.

export interface ReplayCheck {
  readonly test: string;
  readonly seed: number;
  readonly signature: string;
  /** "same": same failure and identical trace; "differs": replay did not match; "skipped": not checkable. */
  readonly verdict: "same" | "differs" | "skipped";
  readonly detail: string;
}
