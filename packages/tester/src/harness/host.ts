// What a Config (the lab's cluster under test) needs of the test that built it. TestContext
// (context.ts) is the one implementation; the interface stands here so that context.ts can build a
// Config and config.ts can call back into its test without the two files importing each other.

import type { MakeRaft, Prng, TraceSink } from "@raftlab/raft";
import type { InvariantChecker } from "../invariants/checker.js";
import type { Simulator } from "../sim/simulator.js";
import type { RunFailure } from "./failure.js";

export interface ConfigHost {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
  readonly netTrace: boolean;
  readonly rand: Prng;
  readonly netRand: Prng;
  readonly peerRand: Prng;
  readonly checker: InvariantChecker;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
  /** Records the run's failure (the first one counts) and carries on. */
  fail(failure: RunFailure): void;
  /** Records the failure and ends the test. */
  fatal(message: string): never;
}
