// What the batch runner keeps about one finished run: small and flat, so that a batch of a million
// runs fits in memory and a JSON report lists every one.

import { escapeControls, hasControls } from "@raftlab/raft";
import type { RunFailure } from "./contract.js";
import { commandPrefix } from "../invocation.js";

export type FailureKind = RunFailure["kind"];

export interface RunRecord {
  readonly test: string;
  readonly seed: number;
  readonly ok: boolean;
  /** Triage key (see signature.ts); null for a passing run. */
  readonly signature: string | null;
  readonly kind: FailureKind | null;
  readonly message: string | null;
  readonly invariant: string | null;
  /** Simulated time the run covered; null when the run was stopped before reporting (timeout, crash). */
  readonly virtualMs: number | null;
  readonly wallMs: number;
  readonly rpcs: number | null;
  readonly bytes: number | null;
  readonly cmds: number | null;
  readonly peers: number | null;
  /** Saved trace file name, relative to the batch's output directory; null when not saved. */
  readonly trace: string | null;
  /** Saved output file name, relative to the batch's output directory; null when not saved. */
  readonly log: string | null;
  /** True when the saved trace is not the whole trace (size cap, or the run was stopped). */
  readonly traceTruncated: boolean;
  /** The checker's counted warnings of the run, by kind (absent when there were none). */
  readonly warnings?: readonly RecordWarning[];
}

/** Warnings of one kind in one run (RunResult.warnings without the message, to keep records small). */
export interface RecordWarning {
  readonly kind: string;
  readonly count: number;
}

/** Artifact file stem for a run: `<test>-<seed>`; test names are sanitised for file systems. */
export function artifactStem(test: string, seed: number): string {
  return `${test.replace(/[^A-Za-z0-9_.-]/g, "_")}-${seed}`;
}

/** The one command that replays a run and opens its trace in logviz. */
export function replayCommand(test: string, seed: number, impl: string | null, strict = false): string {
  const implFlag = impl === null ? "" : ` --impl ${shellQuote(impl)}`;
  // `raftlab batch conform`'s runs (conform/as-test.ts) replay with the conformance command itself.
  const npx = commandPrefix();
  if (test === "Conformance") return `${npx}raftlab conform --seed ${seed}${implFlag}`;
  // --strict changes verdicts (a heartbeat-rate warning fails the run): the replay must judge alike.
  return `${npx}raftlab run ${shellQuote(test)} --seed ${seed}${implFlag}${strict ? " --strict" : ""} --trace | ${npx}logviz`;
}

/**
 * `s` as one shell word, safe to print: plain words as they are, others in single quotes, and words
 * holding control or format characters in bash's $'…' form with those characters escaped (`\x1b`), so
 * the command can be copied and run but its text cannot drive the terminal it is printed on.
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(s)) return s;
  if (!hasControls(s)) return `'${s.replace(/'/g, "'\\''")}'`;
  return `$'${escapeControls(s.replace(/\\/g, "\\\\").replace(/'/g, "\\'"))}'`;
}
