// What a Config (the lab's cluster under test) needs of the test that built it. TestContext
// (context.ts) is the one implementation; the interface stands here so that context.ts can build a
// Config and config.ts can call back into its test without the two files importing each other.

import type { MakeRaft, Prng, TraceSink } from "@raftlab/raft";
import type { InvariantChecker } from "../invariants/checker.js";
import type { NetChoices } from "../net/network.js";
import type { Simulator } from "../sim/simulator.js";
import type { RunFailure } from "./failure.js";

/** A lifecycle or network-mode step of a test script, as a schedule (src/schedule/) sees it. */
export type ScriptOp = "crash" | "start" | "connect" | "disconnect" | "unreliable" | "reordering";

/**
 * Lets a schedule record each step a test script takes and leave out the faults it removed. `fault`
 * says whether this step injects one (a crash of a live server, a restart of a live one, a disconnect
 * of a connected one, turning unreliability or long reordering on); only faults may be left out.
 */
export interface ScriptGate {
  allow(op: ScriptOp, peer: number, fault: boolean): boolean;
}

/** What a schedule (src/schedule/) hooks into: the network's choices, the script's steps, each peer's stream. */
export interface ScheduleHooks {
  readonly gate: ScriptGate;
  netChoices(seeded: NetChoices): NetChoices;
  /** The stream of peer `peer`'s next incarnation, given the one the seed forked for it. */
  peerStream(peer: number, forked: Prng): Prng;
}

export interface ConfigHost {
  readonly sim: Simulator;
  readonly impl: MakeRaft;
  readonly trace: TraceSink | null;
  readonly netTrace: boolean;
  readonly rand: Prng;
  readonly netRand: Prng;
  readonly peerRand: Prng;
  readonly checker: InvariantChecker;
  /** Records (and replays) the run's decisions; null: they come from the seed alone. */
  readonly schedule: ScheduleHooks | null;
  /** The PRNG stream of a new incarnation of server `peer`. */
  peerPrng(peer: number): Prng;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
  /** Records the run's failure (the first one counts) and carries on. */
  fail(failure: RunFailure): void;
  /** Records the failure and ends the test. */
  fatal(message: string): never;
}
