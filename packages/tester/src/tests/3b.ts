// Part 3B: log replication (test_test.go TestBasicAgree3B … TestCount3B).

import type { Value } from "@raftlab/raft";
import type { TestContext } from "../harness/context.js";
import { RAFT_ELECTION_TIMEOUT } from "../harness/config.js";
import { formatValue } from "../invariants/values.js";
import type { LabTest } from "./spec.js";
import { randString } from "./util.js";

async function basicAgree(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): basic agreement");
  const iters = 3;
  for (let index = 1; index < iters + 1; index++) {
    const [nd] = cfg.nCommitted(index);
    if (nd > 0) t.fatal("some have committed before Start()");
    const xindex = await cfg.one(index * 100, servers, false);
    if (xindex !== index) t.fatal(`got index ${xindex} but expected ${index}`);
  }
  cfg.end();
}

/** Checks, by counting RPC bytes, that each command is sent to each peer just once. */
async function rpcBytes(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): RPC byte count");
  await cfg.one(99, servers, false);
  const bytes0 = cfg.bytesTotal();
  const iters = 10;
  let sent = 0;
  for (let index = 2; index < iters + 2; index++) {
    const cmd = randString(t, 5000);
    const xindex = await cfg.one(cmd, servers, false);
    if (xindex !== index) t.fatal(`got index ${xindex} but expected ${index}`);
    sent += cmd.length;
  }
  const got = cfg.bytesTotal() - bytes0;
  const expected = servers * sent;
  if (got > expected + 50000) t.fatal(`too many RPC bytes; got ${got}, expected ${expected}`);
  cfg.end();
}

/** Failure of followers only. */
async function followerFailure(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): test progressive failure of followers");
  await cfg.one(101, servers, false);
  // Disconnect one follower from the network.
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect((leader1 + 1) % servers);
  // The leader and the remaining follower should be able to agree despite it.
  await cfg.one(102, servers - 1, false);
  await t.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(103, servers - 1, false);
  // Disconnect the remaining follower.
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect((leader2 + 1) % servers);
  cfg.disconnect((leader2 + 2) % servers);
  // Submit a command.
  const { index, isLeader } = cfg.start(leader2, 104);
  if (!isLeader) t.fatal("leader rejected Start()");
  if (index !== 4) t.fatal(`expected index 4, got ${index}`);
  await t.sleep(2 * RAFT_ELECTION_TIMEOUT);
  // Check that command 104 did not commit.
  const [n] = cfg.nCommitted(index);
  if (n > 0) t.fatal(`${n} committed but no majority`);
  cfg.end();
}

/** Failure of leaders only. */
async function leaderFailure(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): test failure of leaders");
  await cfg.one(101, servers, false);
  // Disconnect the first leader; the remaining followers should elect a new one.
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  await cfg.one(102, servers - 1, false);
  await t.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(103, servers - 1, false);
  // Disconnect the new leader.
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  // Submit a command to each server.
  for (let i = 0; i < servers; i++) cfg.start(i, 104);
  await t.sleep(2 * RAFT_ELECTION_TIMEOUT);
  // Check that command 104 did not commit.
  const [n] = cfg.nCommitted(4);
  if (n > 0) t.fatal(`${n} committed but no majority`);
  cfg.end();
}

/** A follower participates after disconnect and re-connect. */
async function failAgree(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): agreement after follower reconnects");
  await cfg.one(101, servers, false);
  // Disconnect one follower from the network.
  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 1) % servers);
  // The leader and the remaining follower should be able to agree despite it.
  await cfg.one(102, servers - 1, false);
  await cfg.one(103, servers - 1, false);
  await t.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(104, servers - 1, false);
  await cfg.one(105, servers - 1, false);
  // Re-connect: the full set preserves earlier agreements and agrees on new commands.
  cfg.connect((leader + 1) % servers);
  await cfg.one(106, servers, true);
  await t.sleep(RAFT_ELECTION_TIMEOUT);
  await cfg.one(107, servers, true);
  cfg.end();
}

async function failNoAgree(t: TestContext): Promise<void> {
  const servers = 5;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): no agreement if too many followers disconnect");
  await cfg.one(10, servers, false);
  // 3 of 5 followers disconnect.
  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 1) % servers);
  cfg.disconnect((leader + 2) % servers);
  cfg.disconnect((leader + 3) % servers);
  const { index, isLeader } = cfg.start(leader, 20);
  if (!isLeader) t.fatal("leader rejected Start()");
  if (index !== 2) t.fatal(`expected index 2, got ${index}`);
  await t.sleep(2 * RAFT_ELECTION_TIMEOUT);
  const [n] = cfg.nCommitted(index);
  if (n > 0) t.fatal(`${n} committed but no majority`);
  // Repair.
  cfg.connect((leader + 1) % servers);
  cfg.connect((leader + 2) % servers);
  cfg.connect((leader + 3) % servers);
  // The disconnected majority may have chosen a leader from among their own ranks, forgetting index 2.
  const leader2 = await cfg.checkOneLeader();
  const r2 = cfg.start(leader2, 30);
  if (!r2.isLeader) t.fatal("leader2 rejected Start()");
  if (r2.index < 2 || r2.index > 3) t.fatal(`unexpected index ${r2.index}`);
  await cfg.one(1000, servers, true);
  cfg.end();
}

async function concurrentStarts(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): concurrent Start()s");
  let success = false;
  loop: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await t.sleep(3000); // Give the solution some time to settle.
    const leader = await cfg.checkOneLeader();
    const first = cfg.start(leader, 1);
    if (!first.isLeader) continue; // The leader moved on really quickly.
    const term = first.term;
    const iters = 5;
    const is: number[] = [];
    const starters: Promise<void>[] = [];
    for (let ii = 0; ii < iters; ii++) {
      starters.push(
        t.go(async () => {
          await t.sleep(0); // Each "goroutine" runs at a seed-chosen point of this instant.
          if (cfg.raft(leader) === null) return;
          const r = cfg.start(leader, 100 + ii);
          if (r.term !== term || !r.isLeader) return;
          is.push(r.index);
        }),
      );
    }
    await Promise.all(starters);
    for (let j = 0; j < servers; j++) {
      if (cfg.getState(j).term !== term) continue loop; // Term changed: can't expect low RPC counts.
    }
    let failed = false;
    const cmds: number[] = [];
    for (const index of is) {
      const cmd = await cfg.wait(index, servers, term);
      if (typeof cmd !== "number") t.fatal(`value ${formatValue(cmd)} is not an int`);
      if (cmd === -1) {
        // Peers have moved on to later terms, so not all Start()s can be expected to succeed.
        failed = true;
        break;
      }
      cmds.push(cmd);
    }
    if (failed) continue;
    for (let ii = 0; ii < iters; ii++) {
      const x = 100 + ii;
      if (!cmds.includes(x)) t.fatal(`cmd ${x} missing in [${cmds.join(" ")}]`);
    }
    success = true;
    break;
  }
  if (!success) t.fatal("term changed too often");
  cfg.end();
}

async function rejoin(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): rejoin of partitioned leader");
  await cfg.one(101, servers, true);
  // Leader network failure.
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  // Make the old leader try to agree on some entries.
  cfg.start(leader1, 102);
  cfg.start(leader1, 103);
  cfg.start(leader1, 104);
  // The new leader commits, also for index 2.
  await cfg.one(103, 2, true);
  // New leader network failure.
  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  // The old leader connects again.
  cfg.connect(leader1);
  await cfg.one(104, 2, true);
  // All together now.
  cfg.connect(leader2);
  await cfg.one(105, servers, true);
  cfg.end();
}

async function backup(t: TestContext): Promise<void> {
  const servers = 5;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): leader backs up quickly over incorrect follower logs");
  await cfg.one(t.randInt(), servers, true);
  // Put the leader and one follower in a partition.
  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect((leader1 + 2) % servers);
  cfg.disconnect((leader1 + 3) % servers);
  cfg.disconnect((leader1 + 4) % servers);
  // Submit lots of commands that won't commit.
  for (let i = 0; i < 50; i++) cfg.start(leader1, t.randInt());
  await t.sleep(RAFT_ELECTION_TIMEOUT / 2);
  cfg.disconnect((leader1 + 0) % servers);
  cfg.disconnect((leader1 + 1) % servers);
  // Allow the other partition to recover.
  cfg.connect((leader1 + 2) % servers);
  cfg.connect((leader1 + 3) % servers);
  cfg.connect((leader1 + 4) % servers);
  // Lots of successful commands to the new group.
  for (let i = 0; i < 50; i++) await cfg.one(t.randInt(), 3, true);
  // Now another partitioned leader and one follower.
  const leader2 = await cfg.checkOneLeader();
  let other = (leader1 + 2) % servers;
  if (leader2 === other) other = (leader2 + 1) % servers;
  cfg.disconnect(other);
  // Lots more commands that won't commit.
  for (let i = 0; i < 50; i++) cfg.start(leader2, t.randInt());
  await t.sleep(RAFT_ELECTION_TIMEOUT / 2);
  // Bring the original leader back to life.
  for (let i = 0; i < servers; i++) cfg.disconnect(i);
  cfg.connect((leader1 + 0) % servers);
  cfg.connect((leader1 + 1) % servers);
  cfg.connect(other);
  // Lots of successful commands to the new group.
  for (let i = 0; i < 50; i++) await cfg.one(t.randInt(), 3, true);
  // Now everyone.
  for (let i = 0; i < servers; i++) cfg.connect(i);
  await cfg.one(t.randInt(), servers, true);
  cfg.end();
}

async function count(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, false);
  cfg.begin("Test (3B): RPC counts aren't too high");
  const rpcs = (): number => {
    let n = 0;
    for (let j = 0; j < servers; j++) n += cfg.rpcCount(j);
    return n;
  };
  let leader = await cfg.checkOneLeader();
  let total1 = rpcs();
  if (total1 > 30 || total1 < 1) t.fatal(`too many or few RPCs (${total1}) to elect initial leader`);
  let total2 = 0;
  let success = false;
  loop: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await t.sleep(3000); // Give the solution some time to settle.
    leader = await cfg.checkOneLeader();
    total1 = rpcs();
    const iters = 10;
    const first = cfg.start(leader, 1);
    if (!first.isLeader) continue; // The leader moved on really quickly.
    const starti = first.index;
    const term = first.term;
    const cmds: Value[] = [];
    for (let i = 1; i < iters + 2; i++) {
      const x = t.rand.int(2 ** 31);
      cmds.push(x);
      const r = cfg.start(leader, x);
      if (r.term !== term) continue loop; // Term changed while starting.
      if (!r.isLeader) continue loop; // No longer the leader, so the term has changed.
      if (starti + i !== r.index) t.fatal("Start() failed");
    }
    for (let i = 1; i < iters + 1; i++) {
      const cmd = await cfg.wait(starti + i, servers, term);
      if (typeof cmd !== "number" || cmd !== cmds[i - 1]) {
        if (cmd === -1) continue loop; // Term changed: try again.
        t.fatal(`wrong value ${formatValue(cmd)} committed for index ${starti + i}; expected [${cmds.map((c) => formatValue(c)).join(" ")}]`);
      }
    }
    let failed = false;
    total2 = 0;
    for (let j = 0; j < servers; j++) {
      // Term changed: can't expect low RPC counts (keep going to update total2).
      if (cfg.getState(j).term !== term) failed = true;
      total2 += cfg.rpcCount(j);
    }
    if (failed) continue;
    if (total2 - total1 > (iters + 1 + 3) * 3) t.fatal(`too many RPCs (${total2 - total1}) for ${iters} entries`);
    success = true;
    break;
  }
  if (!success) t.fatal("term changed too often");
  await t.sleep(RAFT_ELECTION_TIMEOUT);
  let total3 = 0;
  for (let j = 0; j < servers; j++) total3 += cfg.rpcCount(j);
  if (total3 - total2 > 3 * 20) t.fatal(`too many RPCs (${total3 - total2}) for 1 second of idleness`);
  cfg.end();
}

export const TESTS_3B: readonly LabTest[] = [
  { name: "TestBasicAgree3B", part: "3B", servers: 3, description: "three commands agreed at indices 1, 2, 3", run: basicAgree },
  { name: "TestRPCBytes3B", part: "3B", servers: 3, description: "ten 5000-byte commands cost at most 200 KB of RPC bytes", run: rpcBytes },
  { name: "TestFollowerFailure3B", part: "3B", servers: 3, description: "agreement with one follower gone; none with both gone", run: followerFailure },
  { name: "TestLeaderFailure3B", part: "3B", servers: 3, description: "agreement after the leader fails; none after the second fails", run: leaderFailure },
  { name: "TestFailAgree3B", part: "3B", servers: 3, description: "a disconnected follower catches up after reconnecting", run: failAgree },
  { name: "TestFailNoAgree3B", part: "3B", servers: 5, description: "no commit with 3 of 5 followers disconnected; recovery after", run: failNoAgree },
  { name: "TestConcurrentStarts3B", part: "3B", servers: 3, description: "five concurrent Start()s all commit", run: concurrentStarts },
  { name: "TestRejoin3B", part: "3B", servers: 3, description: "a partitioned leader with uncommitted entries rejoins", run: rejoin },
  { name: "TestBackup3B", part: "3B", servers: 5, description: "leader backs up quickly over long incorrect follower logs", run: backup },
  { name: "TestCount3B", part: "3B", servers: 3, description: "RPC budgets: election <= 30, 10 commands <= 42, 1 s idle <= 60", run: count },
];
