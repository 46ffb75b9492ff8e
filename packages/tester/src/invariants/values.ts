// Comparing and printing commands the way the Go tester does with interface{} values and %v.

import { encodeValue, type Value } from "@raftlab/raft";

/** Structural equality of two Values (Go's `!=` on ints and strings, extended to every Value). */
export function valueEquals(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  const x = encodeValue(a);
  const y = encodeValue(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const MAX_PRINTED = 60;

/** `%v` of a command, kept to one bounded line (a 5000-character command is shown truncated). */
export function formatValue(v: Value | undefined): string {
  let s: string;
  if (v === undefined) s = "<nil>";
  else if (v === null) s = "<nil>";
  else if (typeof v === "string") s = v;
  else if (typeof v === "number" || typeof v === "boolean") s = String(v);
  else if (v instanceof Uint8Array) s = `[${v.length} bytes]`;
  else s = JSON.stringify(v);
  s = s.replace(/[\r\n\t]/g, " ");
  return s.length > MAX_PRINTED ? `${s.slice(0, MAX_PRINTED)}…(${s.length} chars)` : s;
}
