// Part 3A: leader election (test_test.go TestInitialElection3A, TestReElection3A, TestManyElections3A).

import { TERM_CHANGED, type TestContext } from "../harness/context.js";
import { RAFT_ELECTION_TIMEOUT } from "../harness/config.js";
import type { LabTest } from "./spec.js";

async function initialElection(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3A): initial election");
  // Is a leader elected?
  await cfg.checkOneLeader();
  // Sleep a bit to avoid racing with followers learning of the election, then check the term.
  await t.sleep(50);
  const term1 = cfg.checkTerms();
  if (term1 < 1) t.fatal(`term is ${term1}, but should be at least 1`);
  // Does the leader and term stay the same if there is no network failure?
  await t.sleep(2 * RAFT_ELECTION_TIMEOUT);
  const term2 = cfg.checkTerms();
  if (term1 !== term2) t.warn(TERM_CHANGED, "term changed even though there were no failures");
  // There should still be a leader.
  await cfg.checkOneLeader();
  cfg.end();
}

async function reElection(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3A): election after network failure");
  const leader1 = await cfg.checkOneLeader();
  // If the leader disconnects, a new one should be elected.
  cfg.disconnect(leader1);
  await cfg.checkOneLeader();
  // If the old leader rejoins, that shouldn't disturb the new leader.
  cfg.connect(leader1);
  const leader2 = await cfg.checkOneLeader();
  // If there's no quorum, no new leader should be elected.
  cfg.disconnect(leader2);
  cfg.disconnect((leader2 + 1) % servers);
  await t.sleep(2 * RAFT_ELECTION_TIMEOUT);
  // The one connected server must not think it is the leader.
  cfg.checkNoLeader();
  // If a quorum arises, it should elect a leader.
  cfg.connect((leader2 + 1) % servers);
  await cfg.checkOneLeader();
  // Re-join of the last node shouldn't prevent a leader from existing.
  cfg.connect(leader2);
  await cfg.checkOneLeader();
  cfg.end();
}

async function manyElections(t: TestContext): Promise<void> {
  const servers = 7;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3A): multiple elections");
  await cfg.checkOneLeader();
  const iters = 10;
  for (let ii = 1; ii < iters; ii++) {
    // Disconnect three nodes (possibly the same one twice).
    const i1 = t.rand.int(servers);
    const i2 = t.rand.int(servers);
    const i3 = t.rand.int(servers);
    cfg.disconnect(i1);
    cfg.disconnect(i2);
    cfg.disconnect(i3);
    // Either the current leader is still alive, or the remaining four elect a new one.
    await cfg.checkOneLeader();
    cfg.connect(i1);
    cfg.connect(i2);
    cfg.connect(i3);
  }
  await cfg.checkOneLeader();
  cfg.end();
}

export const TESTS_3A: readonly LabTest[] = [
  { name: "TestInitialElection3A", part: "3A", servers: 3, description: "a leader is elected, and stays leader with no failures", run: initialElection },
  { name: "TestReElection3A", part: "3A", servers: 3, description: "a new leader after the leader disconnects; none without a quorum", run: reElection },
  { name: "TestManyElections3A", part: "3A", servers: 7, description: "9 rounds of disconnecting 3 of 7 servers: always one leader", run: manyElections },
];
