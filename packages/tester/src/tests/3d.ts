// Part 3D: log compaction (test_test.go snapcommon, TestSnapshotBasic3D … TestSnapshotInit3D).
// Version choice: as in G24, AllCrash and Init run on a reliable network (G25/G26 run them unreliable).

import type { TestContext } from "../harness/context.js";
import { MAX_LOG_SIZE, SNAPSHOT_INTERVAL } from "../harness/config.js";
import type { LabTest } from "./spec.js";

async function snapcommon(t: TestContext, name: string, disconnect: boolean, reliable: boolean, crash: boolean): Promise<void> {
  const iters = 30;
  const servers = 3;
  const cfg = t.makeConfig(servers, !reliable, true);
  cfg.begin(name);
  await cfg.one(t.randInt(), servers, true);
  let leader1 = await cfg.checkOneLeader();
  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }
    if (disconnect) {
      cfg.disconnect(victim);
      await cfg.one(t.randInt(), servers - 1, true);
    }
    if (crash) {
      cfg.crash1(victim);
      await cfg.one(t.randInt(), servers - 1, true);
    }
    // Perhaps send enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + t.rand.int(SNAPSHOT_INTERVAL);
    for (let k = 0; k < nn; k++) cfg.start(sender, t.randInt());
    // Let the appliers catch up with the Start()s.
    if (!disconnect && !crash) {
      // Make sure all followers have caught up, so that TestSnapshotBasic3D needs no InstallSnapshot.
      await cfg.one(t.randInt(), servers, true);
    } else {
      await cfg.one(t.randInt(), servers - 1, true);
    }
    if (cfg.logSize() >= MAX_LOG_SIZE) t.fatal("Log size too large");
    if (disconnect) {
      // Reconnect a follower, who may be behind and need a snapshot to catch up.
      cfg.connect(victim);
      await cfg.one(t.randInt(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
    if (crash) {
      cfg.start1(victim);
      cfg.connect(victim);
      await cfg.one(t.randInt(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
  }
  cfg.end();
}

/** Do the servers persist their snapshots, and restart from a snapshot plus the tail of the log? */
async function allCrash(t: TestContext): Promise<void> {
  const servers = 3;
  const iters = 5;
  const cfg = t.makeConfig(servers, false, true);
  cfg.begin("Test (3D): crash and restart all servers");
  await cfg.one(t.randInt(), servers, true);
  for (let i = 0; i < iters; i++) {
    // Perhaps enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + t.rand.int(SNAPSHOT_INTERVAL);
    for (let k = 0; k < nn; k++) await cfg.one(t.randInt(), servers, true);
    const index1 = await cfg.one(t.randInt(), servers, true);
    // Crash all, then revive all.
    for (let k = 0; k < servers; k++) cfg.crash1(k);
    for (let k = 0; k < servers; k++) {
      cfg.start1(k);
      cfg.connect(k);
    }
    const index2 = await cfg.one(t.randInt(), servers, true);
    if (index2 < index1 + 1) t.fatal(`index decreased from ${index1} to ${index2}`);
  }
  cfg.end();
}

/** Do servers initialise their in-memory copy of the snapshot, so later persists don't lose it? */
async function snapshotInit(t: TestContext): Promise<void> {
  const servers = 3;
  const cfg = t.makeConfig(servers, false, true);
  cfg.begin("Test (3D): snapshot initialization after crash");
  await cfg.one(t.randInt(), servers, true);
  // Enough ops to make a snapshot.
  const nn = SNAPSHOT_INTERVAL + 1;
  for (let i = 0; i < nn; i++) await cfg.one(t.randInt(), servers, true);
  const crashAndReviveAll = (): void => {
    for (let i = 0; i < servers; i++) cfg.crash1(i);
    for (let i = 0; i < servers; i++) {
      cfg.start1(i);
      cfg.connect(i);
    }
  };
  crashAndReviveAll();
  // A single op, to get something written back to persistent storage.
  await cfg.one(t.randInt(), servers, true);
  crashAndReviveAll();
  // Another op, to trigger the potential bug.
  await cfg.one(t.randInt(), servers, true);
  cfg.end();
}

export const TESTS_3D: readonly LabTest[] = [
  {
    name: "TestSnapshotBasic3D",
    part: "3D",
    servers: 3,
    description: "snapshots every 10 entries keep the log small, no faults",
    run: (t) => snapcommon(t, "Test (3D): snapshots basic", false, true, false),
  },
  {
    name: "TestSnapshotInstall3D",
    part: "3D",
    servers: 3,
    description: "a disconnected follower catches up by InstallSnapshot",
    run: (t) => snapcommon(t, "Test (3D): install snapshots (disconnect)", true, true, false),
  },
  {
    name: "TestSnapshotInstallUnreliable3D",
    part: "3D",
    servers: 3,
    description: "InstallSnapshot after disconnects on an unreliable network",
    run: (t) => snapcommon(t, "Test (3D): install snapshots (disconnect+unreliable)", true, false, false),
  },
  {
    name: "TestSnapshotInstallCrash3D",
    part: "3D",
    servers: 3,
    description: "a crashed follower catches up by InstallSnapshot",
    run: (t) => snapcommon(t, "Test (3D): install snapshots (crash)", false, true, true),
  },
  {
    name: "TestSnapshotInstallUnCrash3D",
    part: "3D",
    servers: 3,
    description: "InstallSnapshot after crashes on an unreliable network",
    run: (t) => snapcommon(t, "Test (3D): install snapshots (unreliable+crash)", false, false, true),
  },
  { name: "TestSnapshotAllCrash3D", part: "3D", servers: 3, description: "all servers crash and restart from snapshot plus log tail", run: allCrash },
  { name: "TestSnapshotInit3D", part: "3D", servers: 3, description: "the snapshot read at boot is kept by later persists", run: snapshotInit },
];
