// Schedules (src/schedule/): recording a run changes nothing (the pinned digests of
// trace-digest.test.ts still come out), replaying the recorded schedule gives the same trace byte for
// byte, and a hostile schedule file is one line and exit 2.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatTraceEvent } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { runTest, TESTS } from "../src/runner.js";
import { countFaults, listFaults, withoutFaults } from "../src/schedule/faults.js";
import { MAX_SCHEDULE_BYTES, type Schedule } from "../src/schedule/format.js";
import { loadSchedule, ScheduleError } from "../src/schedule/load.js";
import { ScheduleSession } from "../src/schedule/session.js";

const servers = (test: string): number => TESTS.find((t) => t.name === test)?.servers ?? 0;

async function traced(test: string, seed: number, session?: ScheduleSession): Promise<{ digest: string; events: number }> {
  const lines: string[] = [];
  await runTest(test, { seed, trace: (e) => lines.push(formatTraceEvent(e)), ...(session !== undefined ? { schedule: session } : {}) });
  return {
    digest: createHash("sha256")
      .update(lines.join("\n") + "\n")
      .digest("hex"),
    events: lines.length,
  };
}

/** Pinned in trace-digest.test.ts: the seed run's trace, before schedules existed. */
const PINNED = [
  { test: "TestPersist23C", seed: 3, full: "871b8c922d4267db91597da310f4c4eae22a5cece5d4d72e9c9e9016d4970b2b" },
  { test: "TestFigure8Unreliable3C", seed: 4, full: "cfc45643cf6ea5e44bd3665094c1b47cebd6754529158a68ebb52e4daee20625" },
  { test: "TestSnapshotInstallUnreliable3D", seed: 2, full: "aaaf478ad50a021d1ec90c8decf957c9ffee82b1957ba96f00f388988c96fe54" },
];

describe("recording and replaying a schedule", () => {
  for (const p of PINNED) {
    it(`${p.test} seed ${p.seed}: recording leaves the pinned trace; replaying the JSON gives it byte for byte`, async () => {
      const recorder = new ScheduleSession({ test: p.test, seed: p.seed, servers: servers(p.test) });
      expect((await traced(p.test, p.seed, recorder)).digest).toBe(p.full);
      const json = JSON.stringify(recorder.schedule());
      const schedule = JSON.parse(json) as Schedule;
      // Faults are there to shrink: an unreliable test's network injects some.
      if (p.test.includes("Unreliable")) expect(schedule.net.some((d) => d.q === true || d.r === true)).toBe(true);
      const player = new ScheduleSession({ test: p.test, seed: p.seed, servers: servers(p.test), replay: schedule });
      expect((await traced(p.test, p.seed, player)).digest).toBe(p.full);
      // What the replay recorded is the schedule it replayed.
      expect(JSON.stringify(player.schedule())).toBe(json);
    }, 120_000);
  }

  it("a replay does what the schedule says, not what the seed says: removing the faults changes the run", async () => {
    const test = "TestFigure8Unreliable3C";
    const recorder = new ScheduleSession({ test, seed: 4, servers: 5 });
    const seedRun = await traced(test, 4, recorder);
    const schedule = recorder.schedule();
    const all = listFaults(schedule);
    expect(all.length).toBeGreaterThan(0);
    const calm = withoutFaults(schedule, all);
    expect(countFaults(calm)).toBe(0);
    const player = new ScheduleSession({ test, seed: 4, servers: 5, replay: calm });
    expect((await traced(test, 4, player)).digest).not.toBe(seedRun.digest);
    // Nothing the replayed schedule left out comes back.
    expect(countFaults(player.schedule())).toBe(0);
  }, 120_000);

  it("removing one dropped message leaves every other message's decisions where they were", () => {
    const base: Schedule = {
      format: "raftlab-schedule",
      version: 1,
      test: "TestFigure8Unreliable3C",
      seed: 1,
      servers: 5,
      script: [{ op: "crash", k: 0, peer: 2, t: 1200, fault: true }],
      net: [
        { from: 0, to: 1, n: 88, method: "AppendEntries", t: 1215, q: true },
        { from: 0, to: 2, n: 3, method: "AppendEntries", t: 1216, d: 5, r: true },
      ],
      tester: {},
      peers: [],
      math: {},
    };
    const faults = listFaults(base);
    expect(faults.map((f) => f.text)).toEqual([
      "t=1.200s crash S2",
      "t=1.215s drop S0→S1 AppendEntries #88",
      "t=1.216s delay S0→S2 AppendEntries #3 by 5ms",
      "t=1.221s drop the reply to S0→S2 AppendEntries #3",
    ]);
    const without = withoutFaults(base, [faults[1]!]);
    expect(without.net).toEqual([{ from: 0, to: 1, n: 88, method: "AppendEntries", t: 1215 }, base.net[1]]);
    expect(withoutFaults(base, [faults[0]!]).script[0]?.skip).toBe(true);
  });
});

// ---- hostile schedule files ---------------------------------------------------------------------

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(root, "packages/tester/dist/cli.js");

const VALID: Schedule = {
  format: "raftlab-schedule",
  version: 1,
  test: "TestInitialElection3A",
  seed: 1,
  servers: 3,
  script: [{ op: "disconnect", k: 0, peer: 1, t: 100, fault: true }],
  net: [{ from: 0, to: 1, n: 0, method: "RequestVote", t: 5, u: 10 }],
  tester: { "3": [0, 2] },
  peers: [[[0.5]]],
  math: {},
};

describe("a hostile schedule file is one line and exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-schedule-"));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const json = (patch: Record<string, unknown>): string => JSON.stringify({ ...VALID, ...patch });
  const huge = write("huge.json", "{}");
  truncateSync(huge, MAX_SCHEDULE_BYTES + 1);
  const cases: [string, string, RegExp][] = [
    ["truncated", write("truncated.json", json({}).slice(0, 80)), /not complete JSON \(truncated\?\)/],
    ["not a schedule", write("other.json", '{"hello": 1}'), /not a raftlab schedule/],
    ["another version", write("v9.json", json({ version: 9 })), /schedule version 9; this raftlab reads version 1/],
    ["another test", write("test.json", json({ test: "TestBackup3B", servers: 5 })), /recorded for TestBackup3B, not TestInitialElection3A/],
    [
      "a script peer out of range",
      write("peer.json", json({ script: [{ op: "crash", k: 0, peer: 7, t: 1, fault: true }] })),
      /script\[0\]: peer 7 is out of range \(S0\.\.S2\)/,
    ],
    ["a message peer out of range", write("netpeer.json", json({ net: [{ from: 0, to: 3, n: 0, method: "X", t: 1 }] })), /net\[0\]: peer 3 is out of range/],
    ["a time out of range", write("time.json", json({ script: [{ op: "crash", k: 0, peer: 1, t: 1e9, fault: true }] })), /time 1000000000 is out of range/],
    ["a delay out of range", write("delay.json", json({ net: [{ from: 0, to: 1, n: 0, method: "X", t: 1, d: 500 }] })), /d must be 0\.\.26 ms/],
    ["a tester draw out of range", write("draw.json", json({ tester: { "3": [5] } })), /tester\[3\]: values out of range/],
    ["huge", huge, /is \d+ bytes; a schedule is at most \d+ bytes/],
  ];

  for (const [what, file, message] of cases) {
    it(`${what}: loadSchedule throws a one-line ScheduleError`, () => {
      let err: unknown = null;
      try {
        loadSchedule(file, "TestInitialElection3A");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScheduleError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain("\n");
    });
  }

  it("the valid file loads, and raftlab run --schedule refuses each hostile one with one line and exit 2", () => {
    expect(loadSchedule(write("valid.json", json({})), "TestInitialElection3A").test).toBe("TestInitialElection3A");
    for (const [what, file] of cases) {
      const r = spawnSync(process.execPath, [cli, "run", "InitialElection", "--schedule", file], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 60_000,
      });
      expect(r.status, what).toBe(2);
      expect(r.stderr, what).toMatch(/^raftlab run: --schedule: [^\n]+\n$/);
      expect(r.stdout, what).toBe("");
    }
  }, 120_000);

  it("the written file is what loads (a round trip of a recorded schedule)", async () => {
    const recorder = new ScheduleSession({ test: "TestInitialElection3A", seed: 2, servers: 3 });
    await runTest("TestInitialElection3A", { seed: 2, schedule: recorder });
    const file = write("recorded.json", JSON.stringify(recorder.schedule()));
    expect(loadSchedule(file)).toEqual(JSON.parse(readFileSync(file, "utf8")));
  }, 60_000);
});
