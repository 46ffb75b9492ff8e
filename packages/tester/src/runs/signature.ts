// Failure signatures: the key triage groups failures by. Two runs that failed for the same reason must
// get the same signature even though their messages differ in indices, terms, peer ids, values and
// timings, so those are stripped. A violated invariant is identified by its name alone.

import type { RunFailure } from "../runner.js";

/** Longest signature kept; a longer normalised message is cut (signatures are table keys, not logs). */
export const MAX_SIGNATURE_LENGTH = 160;

/** Shortest run of letters, digits, `_` and `-` that may be a random token. */
export const RANDOM_TOKEN_MIN = 16;
const TOKEN_RUN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g;
/** The pieces a name is made of: `Test`, `Figure`, `8`, `RPC`, `go`. */
const NAME_PIECE = /[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])|\d+/g;

/**
 * Whether a long run of letters, digits, `_` and `-` is random (a base64 or hex token, a UUID) rather
 * than a name. A random token mixes letters and digits and breaks into short pieces: a name such as
 * `TestFigure8Unreliable3C` is made of words (about 4 characters a piece), a random token of pieces of
 * about 2 (base64 switches case or class every couple of characters, hex between digits and letters).
 * `_` and `-` separate pieces and are not counted.
 */
export function isRandomToken(token: string): boolean {
  if (token.length < RANDOM_TOKEN_MIN || !/[A-Za-z]/.test(token) || !/\d/.test(token)) return false;
  const chars = token.replace(/[_-]/g, "").length;
  const pieces = token.match(NAME_PIECE)?.length ?? 0;
  return pieces * 3 > chars;
}

/**
 * Masks long random tokens as `N`, as numbers are: the lab's TestRPCBytes3B agrees on
 * `randstring(5000)`, and its `one(<5,000 random characters>) failed to reach agreement` is the same
 * failure as `one(101) failed to reach agreement`.
 */
export function maskRandomTokens(s: string): string {
  return s.replace(TOKEN_RUN, (t) => (isRandomToken(t) ? "N" : t));
}

/**
 * Normalises one failure message: first line only (a crash's stack trace is not part of its identity),
 * peer ids (`S3`, `peer 2`, `server=1`) and every number become `N`, quoted values become `"…"`, and
 * whitespace is collapsed.
 */
export function normaliseMessage(message: string): string {
  const firstLine = message.split(/\r?\n/, 1)[0] ?? "";
  let s = firstLine;
  // Quoted values (commands, keys, file paths) vary from run to run.
  s = s.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
  s = maskRandomTokens(s);
  // Peer ids in the dslogs style: S0, S12.
  s = s.replace(/\bS\d+\b/g, "SN");
  // Hex values and free-standing numbers (integers, decimals, negatives, with a unit such as 1.5s or
  // 20ms). Digits inside words stay: "3A" in a test name is part of the identity.
  s = s.replace(/\b0x[0-9a-f]+\b/gi, "N");
  s = s.replace(/(^|[^A-Za-z0-9_])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|us|µs|ns|s|KiB|MiB|KB|MB|B|%)?(?![A-Za-z0-9_])/g, "$1N");
  // Terms and indices written as T3 / I12.
  s = s.replace(/\b([TI])\d+\b/g, "$1N");
  // Lists of numbers collapse to one: "[N, N, N]" says the same as "[N, N]".
  s = s.replace(/N(?:\s*,\s*N)+/g, "N…");
  s = s.replace(/\s+/g, " ").trim();
  if (s.length > MAX_SIGNATURE_LENGTH) s = `${s.slice(0, MAX_SIGNATURE_LENGTH - 1)}…`;
  return s;
}

/** The triage key of a failure: `<kind>: <invariant name or normalised message>`. */
export function failureSignature(failure: RunFailure): string {
  if (failure.invariant !== undefined && failure.invariant !== "") {
    return `${failure.kind}: ${failure.invariant}`;
  }
  const normalised = normaliseMessage(failure.message);
  return `${failure.kind}: ${normalised === "" ? "(no message)" : normalised}`;
}
