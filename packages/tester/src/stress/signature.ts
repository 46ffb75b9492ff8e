// Failure signatures of stress iterations: the key triage groups them by. Built on the batch runner's
// normaliser (numbers, hex addresses, quoted values, peer ids), plus what Go output needs: a test log
// line keeps its `file.go:line:` (the place is the identity; the line does not change between runs),
// Go durations (`10m0s`) and ` [recovered]` are dropped, and a data race is named by its two top frames.

import { MAX_SIGNATURE_LENGTH, maskRandomTokens, normaliseMessage } from "../runs/signature.js";

/** One side of a data race: the top frame of the access. */
export interface RaceAccess {
  /** Function, with its import path (`example.com/m.TestRace.func1`). */
  readonly func: string;
  /** File path as Go printed it. */
  readonly file: string;
  readonly line: number;
}

/**
 * `DATA RACE: m.TestRace.func1 (race_test.go:12) vs m.TestRace (race_test.go:15)`. Whether an access
 * is a read or a write (a `x++` is either) and which of the two came first vary from run to run, so
 * neither is part of the name: the two places, sorted, are.
 */
export function raceSignature(accesses: readonly RaceAccess[]): string {
  const places = accesses.slice(0, 2).map((a) => `${shortFunc(a.func)} (${baseName(a.file)}:${a.line})`);
  if (places.length === 0) return "DATA RACE";
  const unique = [...new Set(places)].sort();
  return `DATA RACE: ${unique.join(" vs ")}`;
}

function shortFunc(func: string): string {
  const slash = func.lastIndexOf("/");
  return slash < 0 ? func : func.slice(slash + 1);
}

function baseName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

const GO_DURATION = /\b\d+(?:h\d+)?(?:m\d+(?:\.\d+)?)?(?:\.\d+)?(?:h|m|s|ms|µs|us|ns)\b/g;
const FILE_LINE = /^((?:\.{0,2}\/)?[\w.+\-/]+\.go:\d+(?::\d+)?): (.*)$/;

/** The normalised text of one failure line. */
export function normaliseFailureLine(text: string): string {
  if (text.startsWith("DATA RACE")) return text.length > MAX_SIGNATURE_LENGTH ? `${text.slice(0, MAX_SIGNATURE_LENGTH - 1)}…` : text;
  // Random tokens first: a duration's pattern would otherwise cut pieces out of one (`…-12s-…`).
  const cleaned = maskRandomTokens(text.replace(/ \[recovered\]$/, "")).replace(GO_DURATION, "N");
  const m = FILE_LINE.exec(cleaned);
  if (m !== null) return `${baseName(m[1] ?? "")}: ${normaliseMessage(m[2] ?? "")}`;
  return normaliseMessage(cleaned);
}

/** `<kind>: <normalised failure line>`, like the batch runner's signatures. */
export function stressSignature(kind: string, text: string): string {
  const n = normaliseFailureLine(text);
  return `${kind}: ${n === "" ? "(no message)" : n}`;
}
