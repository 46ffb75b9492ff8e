// A conformance case: a named Figure 2 (or Figure 13, or lab) rule and the steps that check it.
import type { Script } from "./script.js";

export type Step = (s: Script) => Promise<void>;

export interface ConformCase {
  /** The sentence of Figure 2 it checks, quoted or paraphrased, prefixed by where it is. */
  readonly name: string;
  /**
   * True for follower-side cases: the case is also run once per pair of consecutive steps with the
   * peer crashed and restarted from its persisted state in between; every reply and every persisted
   * fact must come out the same, because Figure 2 persists before responding.
   */
  readonly restarts: boolean;
  readonly steps: readonly Step[];
}

export function follower(name: string, ...steps: Step[]): ConformCase {
  return { name, restarts: true, steps };
}

export function volatile(name: string, ...steps: Step[]): ConformCase {
  return { name, restarts: false, steps };
}
