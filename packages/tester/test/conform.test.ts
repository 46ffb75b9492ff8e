// Conformance mode (src/conform/): one peer driven by scripted RPCs, checked case by case against
// Figure 2 (and Figure 13). Our Raft and examples/simple-raft pass every case; each mutant of the
// catalogue (test/fixtures/mutants/, built outside the product code) fails the case named after the
// rule it breaks.

import { make } from "@raftlab/raft";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CONFORM_CASES, runConformance, type ConformResult } from "../src/conform/run.js";
import { MUTANTS } from "./fixtures/mutants/catalogue.mjs";
import { loadMutant, mutantPath } from "./fixtures/mutants/load.js";

/** For each mutant: the start of the name of a case that must catch it, and what its mismatch must say. */
export const CONFORM_CATCHES: ReadonlyArray<{ readonly mutant: string; readonly caseName: string; readonly mismatch: RegExp }> = [
  {
    mutant: "vote-without-up-to-date-check",
    caseName: "§5.4.1: refuse a candidate whose last log term is older",
    mismatch: /voteGranted must be false, got true/,
  },
  { mutant: "forget-voted-for", caseName: "Persistent state: votedFor survives a crash", mismatch: /voteGranted must be false, got true/ },
  { mutant: "vote-twice-in-term", caseName: "RequestVote 2: at most one vote per term", mismatch: /the vote of term 1 went to S1/ },
  { mutant: "keep-voted-for-across-terms", caseName: "All servers: a newer term clears votedFor", mismatch: /voteGranted must be true, got false/ },
  {
    mutant: "term-not-persisted",
    caseName: "All servers: an AppendEntries with term T > currentTerm sets currentTerm = T, persisted",
    mismatch: /currentTerm must be persisted/,
  },
  {
    mutant: "truncate-on-matching-append",
    caseName: "AppendEntries 3: a heartbeat whose prevLogIndex is behind entries already matched",
    mismatch: /does not hold entry 3 of term 1/,
  },
  {
    mutant: "commit-beyond-verified",
    caseName: "AppendEntries 5: a heartbeat commits only up to its prevLogIndex",
    mismatch: /applied up to index 3, expected exactly 1/,
  },
  {
    mutant: "appended-entries-not-persisted",
    caseName: "AppendEntries 4: append any new entries not already in the log",
    mismatch: /restarted from its persisted state the peer does not hold entry 3/,
  },
  {
    mutant: "stale-term-in-append-entries-reply",
    caseName: "All servers: an AppendEntries with term T > currentTerm",
    mismatch: /the reply's term must be 5, got 0/,
  },
  {
    mutant: "snapshot-drops-matching-suffix",
    caseName: "InstallSnapshot 6: an existing entry with the snapshot's last index and term",
    mismatch: /does not hold entry 5 of term 1/,
  },
  {
    mutant: "install-snapshot-older-than-commit",
    caseName: "InstallSnapshot: a snapshot no newer than commitIndex never reaches the service",
    mismatch: /snapshots delivered on applyCh are \[\(3,T1\)\], expected \[\]/,
  },
  {
    mutant: "install-snapshot-not-applied",
    caseName: "InstallSnapshot 5 and 8: save the snapshot and reset the state machine",
    mismatch: /snapshots delivered on applyCh are \[\], expected \[\(4,T1\)\]/,
  },
  {
    mutant: "snapshot-not-persisted",
    caseName: "Service snapshot(index): Raft trims its log through index and persists",
    mismatch: /told to commit up to 5, the peer applied \[1:/,
  },
  {
    mutant: "leader-ignores-higher-term-vote-request",
    caseName: "All servers: a RequestVote with term T > currentTerm makes a leader convert to follower",
    mismatch: /voteGranted must be true, got false/,
  },
  {
    mutant: "count-stale-vote-replies",
    caseName: "Candidates: votes count only from this election",
    mismatch: /isLeader false\), got \(term \d+, isLeader true\)/,
  },
  { mutant: "ignore-reply-term", caseName: "All servers (leaders): if a reply contains term T > currentTerm", mismatch: /got \(term 1, isLeader true\)/ },
  {
    mutant: "majority-off-by-one",
    caseName: "Candidates: if votes received from a majority of servers: become leader",
    mismatch: /became leader of term 1 on its own vote alone/,
  },
  {
    mutant: "commit-previous-term-by-count",
    caseName: "Leaders: commit only entries of the current term by counting replicas",
    mismatch: /the leader applied 1 entries/,
  },
  {
    mutant: "no-timer-reset-on-append-entries",
    caseName: "Followers: AppendEntries from the current leader resets the election timer",
    mismatch: /but the peer started an election/,
  },
  { mutant: "no-timer-reset-on-vote", caseName: "Followers: granting a vote resets the election timer", mismatch: /but the peer started an election/ },
  { mutant: "serial-append-entries", caseName: "Leaders: upon election, send initial empty AppendEntries", mismatch: /sent no AppendEntries to S2/ },
  {
    mutant: "heartbeat-20-per-second",
    caseName: "Leaders: send heartbeats during idle periods",
    mismatch: /sent 40 AppendEntries to S1 in 2 s; the lab allows at most ten heartbeats per second/,
  },
  {
    mutant: "install-snapshot-reply-ignored",
    caseName: "Leaders (Figure 13): a follower whose next entry was compacted away",
    mismatch: /must be AppendEntries with prevLogIndex >= 3 \(nextIndex = 4\), got Raft\.InstallSnapshot/,
  },
  {
    mutant: "match-index-counts-replies",
    caseName: "Leaders: if successful, matchIndex = what the acknowledged request covered",
    mismatch: /never 4-6, but the leader applied [4-6] entries/,
  },
  {
    mutant: "apply-out-of-order",
    caseName: "All servers: if commitIndex > lastApplied, apply log[lastApplied] in order",
    mismatch: /applies must be in order/,
  },
];

const byName = (rs: readonly ConformResult[], start: string): ConformResult | undefined => rs.find((r) => r.name.startsWith(start));

describe("conformance cases", () => {
  it("are named after distinct Figure 2 sentences", () => {
    expect(new Set(CONFORM_CASES.map((c) => c.name)).size).toBe(CONFORM_CASES.length);
    for (const c of CONFORM_CASES) expect(c.steps.length, c.name).toBeGreaterThan(0);
  });

  it("our Raft passes every case, restarts between steps included", async () => {
    const rs = await runConformance(make);
    expect(rs).toHaveLength(CONFORM_CASES.length);
    expect(rs.filter((r) => !r.ok).map((r) => `${r.name}: ${r.mismatch}`)).toEqual([]);
    // Follower cases ran once per restart point too.
    expect(rs.reduce((n, r) => n + r.runs, 0)).toBeGreaterThan(rs.length);
  });

  it("examples/simple-raft (a student-style Raft, not ours) passes every case through --impl's loader", async () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    // Compiled into a temp dir so a parallel test compiling examples/simple-raft/dist is not disturbed.
    const out = mkdtempSync(join(tmpdir(), "raftlab-conform-simple-"));
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "examples/simple-raft"), "--outDir", out], { cwd: root });
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }) + "\n");
    const impl = (await import(pathToFileURL(join(out, "raft.js")).href)) as { make: typeof make };
    const rs = await runConformance(impl.make);
    expect(rs.filter((r) => !r.ok).map((r) => `${r.name}: ${r.mismatch}`)).toEqual([]);
    expect(rs).toHaveLength(CONFORM_CASES.length);
  });

  it("a Raft that throws from handleRpc fails with a one-line mismatch instead of crashing the run", async () => {
    const throwing: typeof make = (...args) => {
      const p = make(...args);
      return {
        start: (c) => p.start(c),
        getState: () => p.getState(),
        kill: () => p.kill(),
        snapshot: (i, d) => p.snapshot(i, d),
        persistBytes: () => p.persistBytes(),
        handleRpc: () => {
          throw new Error("boom\nsecond line");
        },
      };
    };
    const rs = await runConformance(throwing, { only: ["RequestVote 1"] });
    expect(rs).toHaveLength(1);
    expect(rs[0]?.ok).toBe(false);
    expect(rs[0]?.mismatch).toMatch(/handleRpc\(Raft\.AppendEntries\) threw: Error: boom$/);
  });
});

describe("conformance catches each follower-side mutant by the rule it breaks", () => {
  it("every mutant of the catalogue is caught by a named case", () => {
    expect(new Set(CONFORM_CATCHES.map((c) => c.mutant))).toEqual(new Set(MUTANTS.map((m) => m.name)));
  });

  it("every catch names a mutant of the catalogue and an existing case", () => {
    const names = new Set(MUTANTS.map((m) => m.name));
    for (const c of CONFORM_CATCHES) {
      expect(names.has(c.mutant), c.mutant).toBe(true);
      expect(
        CONFORM_CASES.some((k) => k.name.startsWith(c.caseName)),
        c.caseName,
      ).toBe(true);
    }
  });

  for (const c of CONFORM_CATCHES) {
    it(`${c.mutant}: "${c.caseName}"`, async () => {
      const rs = await runConformance(await loadMutant(c.mutant));
      const r = byName(rs, c.caseName);
      expect(r?.ok, `${c.mutant} passed "${c.caseName}"`).toBe(false);
      expect(r?.mismatch).toMatch(c.mismatch);
    });
  }
});

describe("raftlab conform (the built CLI, as a user runs it)", () => {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const cli = join(root, "packages/tester/dist/cli.js");
  const raftlab = (...args: string[]): { code: number; signal: NodeJS.Signals | null; out: string[]; err: string } => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build (tsc -b) first`);
    const r = spawnSync(process.execPath, [cli, "conform", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
    return { code: r.status ?? -1, signal: r.signal, out: r.stdout.split("\n").filter((l) => l !== ""), err: r.stderr };
  };

  it("prints one ✓ line per case and 'N passed, 0 failed', exit 0", () => {
    const r = raftlab();
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(CONFORM_CASES.length + 1);
    expect(r.out.slice(0, -1).every((l) => l.startsWith("✓ "))).toBe(true);
    expect(r.out.at(-1)).toBe(`${CONFORM_CASES.length} passed, 0 failed`);
  });

  it("--impl: a broken Raft gets ✗ lines with the rule and the mismatch on one line, exit 1", () => {
    const r = raftlab("--impl", mutantPath("forget-voted-for"));
    expect(r.code).toBe(1);
    const bad = r.out.filter((l) => l.startsWith("✗ "));
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.some((l) => /^✗ Persistent state: votedFor survives a crash .* -- RequestVote\(T4 from S2.*voteGranted must be false, got true$/.test(l))).toBe(
      true,
    );
    expect(r.out.at(-1)).toBe(`${CONFORM_CASES.length - bad.length} passed, ${bad.length} failed`);
  });

  it("--json: one document with every case; patterns select cases", () => {
    const r = raftlab("RequestVote 2", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out.join("\n")) as { passed: number; failed: number; cases: Array<{ name: string; ok: boolean; runs: number }> };
    expect(doc.failed).toBe(0);
    expect(doc.cases.length).toBe(doc.passed);
    expect(doc.cases.length).toBeGreaterThanOrEqual(3);
    expect(doc.cases.every((c) => c.name.includes("RequestVote 2") && c.ok)).toBe(true);
    // Follower cases ran again with a restart between steps.
    const restartable = new Set(CONFORM_CASES.filter((c) => c.restarts).map((c) => c.name));
    expect(doc.cases.filter((c) => restartable.has(c.name)).length).toBeGreaterThanOrEqual(3);
    expect(doc.cases.filter((c) => restartable.has(c.name)).every((c) => c.runs >= 2)).toBe(true);
  });

  it("a Raft that blocks the thread is killed after --timeout with one line, and that case fails as a timeout", () => {
    const r = raftlab("RequestVote 2", "Leaders: a command", "--impl", join(root, "packages/tester/test/fixtures/hostile/busy-loop.mjs"), "--timeout", "1");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^raftlab conform: ".+": no result after 1 s of wall-clock time and the Raft does not yield \(a busy loop\?\); killed \(--timeout\)\n/,
    );
    expect(r.out.join("\n")).toMatch(
      /✗ Leaders: a command .* -- \[timeout\] the test process was killed after 1 s without a result \(--timeout\) before reporting the case/,
    );
    // The cases after it ran in a new child.
    expect(r.out.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  });

  it("usage errors are one line, exit 2; --help describes the mode", () => {
    const none = raftlab("no-such-rule");
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^raftlab conform: no case matches "no-such-rule" \(try: raftlab conform --list\)\n$/);
    const impl = raftlab("--impl", join(root, "packages/tester/test/fixtures/no-make.mjs"));
    expect(impl.code).toBe(2);
    expect(impl.err.split("\n").filter((l) => l !== "")).toHaveLength(1);
    expect(impl.err).toMatch(/^raftlab conform: --impl: .*exports no make\(\) function/);
    const help = raftlab("--help");
    expect(help.code).toBe(0);
    expect(help.out.join(" ")).toMatch(/Figure 2/);
  });
});
