// Argument parsers shared by raftlab's commands (run, batch, stress, conform), so a flag that means one
// thing everywhere is also checked and worded the same way everywhere. Each throws commander's
// InvalidArgumentError: one line, exit 2.

import { InvalidArgumentError } from "commander";

export function positiveInt(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer.`);
    return n;
  };
}

export function nonNegativeInt(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be a non-negative integer.`);
    return n;
  };
}

export function positiveNumber(what: string, min = 0): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n <= min) throw new InvalidArgumentError(`${what} must be a number above ${min}.`);
    return n;
  };
}

/** A wall-clock limit in seconds (--timeout of run and conform). */
export function positiveSeconds(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("the timeout must be a positive number of seconds.");
  return n;
}
