// What `raftlab conform` asks of its isolated child (child.ts) and what the child says back
// (authenticated by isolation/channel.ts).

import type { ConformResult } from "./run.js";

export interface ConformJob {
  readonly impl: string | null;
  readonly seed: number;
  /** The cases to run, by name, in order. */
  readonly cases: readonly string[];
}

export type ConformChildMessage =
  | { readonly t: "load-error"; readonly message: string }
  | { readonly t: "ready" }
  | { readonly t: "start"; readonly name: string }
  | { readonly t: "result"; readonly result: ConformResult }
  | { readonly t: "end" };
