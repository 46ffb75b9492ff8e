// Issue 18 §1 and §3: a student's Raft prints (console.log/error, process.stdout.write) from its
// constructor, handlers, timers and kill(), with dslogs-style times from a module-level
// `const start = Date.now()`. Its prints become Print rows of the peer whose code printed them, and
// the restart probes' copies of it (invariants/restart-copy.ts) leave no trace: no lines, no timers,
// no draws from the run's randomness.

import { pathToFileURL, fileURLToPath } from "node:url";
import { formatTraceEvent, type MakeRaft, type TraceEvent } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { loadImpl, runTest, type RunResult } from "../src/runner.js";
import { PeerRuntime } from "../src/sim/runtime.js";
import type { StudentRaft } from "./fixtures/student-prints.mjs";

const FIXTURE = fileURLToPath(new URL("./fixtures/student-prints.mjs", import.meta.url));

/** A fresh instance of the fixture module, loaded as raftlab loads an --impl (under the load clock). */
async function loadFixture(tag: string): Promise<{ make: MakeRaft; instances: StudentRaft[] }> {
  const url = `${pathToFileURL(FIXTURE).href}?${tag}`;
  const make = await loadImpl(url);
  const mod = (await import(/* @vite-ignore */ url)) as { instances: StudentRaft[] };
  return { make, instances: mod.instances };
}

interface Traced {
  readonly result: RunResult;
  readonly events: TraceEvent[];
  readonly text: string;
  /** What reached stdout and stderr during the run. */
  readonly streamed: string;
  /** Instances made for real peers, and for the restart probes' copies. */
  readonly real: StudentRaft[];
  readonly copies: StudentRaft[];
}

type Make6 = (...a: [...Parameters<MakeRaft>, { quiet: boolean }]) => ReturnType<MakeRaft>;

async function traced(
  make: MakeRaft,
  test: string,
  seed: number,
  opts: { quietCopies?: boolean; labelPrints?: boolean; showProbeOutput?: boolean } = {},
): Promise<Traced> {
  const events: TraceEvent[] = [];
  const real: StudentRaft[] = [];
  const copies: StudentRaft[] = [];
  const impl: MakeRaft = (peers, me, persister, applyCh, runtime) => {
    const isCopy = !(runtime instanceof PeerRuntime);
    const rf = (make as unknown as Make6)(peers, me, persister, applyCh, runtime, { quiet: isCopy && opts.quietCopies === true });
    (isCopy ? copies : real).push(rf as unknown as StudentRaft);
    return rf;
  };
  let streamed = "";
  const out = process.stdout.write;
  const err = process.stderr.write;
  const collect = ((chunk: unknown): boolean => {
    streamed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = collect;
  process.stderr.write = collect;
  let result: RunResult;
  try {
    result = await runTest(test, {
      seed,
      impl,
      trace: (e) => events.push(e),
      ...(opts.labelPrints === true ? { labelPrints: true } : {}),
      ...(opts.showProbeOutput === true ? { showProbeOutput: true } : {}),
    });
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { result, events, text: events.map(formatTraceEvent).join("\n"), streamed, real, copies };
}

const printRows = (events: readonly TraceEvent[]): TraceEvent[] => events.filter((e) => e.op === "Print");
const sum = (xs: readonly StudentRaft[]): number => xs.reduce((n, rf) => n + rf.prints, 0);
const DSLOG = /^(\d+) ([A-Z]{4}) S(\d+) /;

describe("a restart probe's copy is sandboxed (issue 18 §1)", () => {
  it("prints nothing and shifts nothing: the run is the one whose copies are quiet, byte for byte", async () => {
    const { make } = await loadFixture("probe");
    for (const [test, seed] of [
      ["TestReElection3A", 1],
      ["TestManyElections3A", 3],
    ] as const) {
      const noisy = await traced(make, test, seed);
      const quiet = await traced(make, test, seed, { quietCopies: true });
      // The probes ran, and their copies printed, drew Math.random and set timers (the fixture does all three).
      expect(noisy.copies.length).toBeGreaterThan(0);
      expect(sum(noisy.copies)).toBeGreaterThan(0);
      expect(noisy.text).toBe(quiet.text);
      expect(noisy.streamed).toBe(quiet.streamed);
      // Every line a real peer printed is one Print row and one streamed line; no other line is.
      expect(printRows(noisy.events)).toHaveLength(sum(noisy.real));
      expect(noisy.streamed.split("\n").filter((l) => DSLOG.test(l))).toHaveLength(sum(noisy.real));
    }
  });

  it("--show-probe-output shows a copy's lines labelled as the probe's, and never traces them", async () => {
    const { make } = await loadFixture("show");
    const shown = await traced(make, "TestReElection3A", 1, { showProbeOutput: true });
    const plain = await traced(make, "TestReElection3A", 1);
    const probeLines = shown.streamed.split("\n").filter((l) => l.startsWith("[probe copy of S"));
    expect(probeLines).toHaveLength(sum(shown.copies));
    expect(shown.text).toBe(plain.text);
  });
});

describe("a student's prints are trace rows of the peer that printed them (issue 18 §3)", () => {
  it("attributes constructor, handler, timer and kill() prints to their peer, at the virtual time", async () => {
    const { make } = await loadFixture("attribution");
    const run = await traced(make, "TestManyElections3A", 2);
    const rows = printRows(run.events);
    expect(rows.length).toBeGreaterThan(10);
    const topics = new Set<string>();
    for (const row of rows) {
      const m = DSLOG.exec(row.msg);
      expect(m, row.msg).not.toBeNull();
      // The fixture prints its own id: the row's src must be that peer.
      expect(row.src, row.msg).toBe(Number(m?.[3]));
      topics.add(m?.[2] as string);
      expect(row.topic).toBe(m?.[2]);
      expect(row.term).toBe(-1);
      expect(row.state).toBe("none");
    }
    // make (INFO restored), timer (TIMR), handler (VOTE, ERRO via console.error), process.stdout.write (LEAD).
    expect([...topics].sort()).toEqual(expect.arrayContaining(["ERRO", "INFO", "LEAD", "TIMR", "VOTE"]));
    // kill() is called by the harness, outside any event of the peer: still that peer's line.
    expect(
      rows
        .filter((r) => r.msg.includes(": killed"))
        .map((r) => r.src)
        .sort(),
    ).toEqual(expect.arrayContaining([0, 1, 2]));
    // Rows are in trace order, at their virtual time.
    for (let i = 1; i < run.events.length; i++) expect((run.events[i] as TraceEvent).t).toBeGreaterThanOrEqual((run.events[i - 1] as TraceEvent).t);
  });

  it("a module-level `const start = Date.now()` gives each test's virtual time, from 0 in every test", async () => {
    const { make } = await loadFixture("start-time");
    for (const test of ["TestInitialElection3A", "TestReElection3A"]) {
      const rows = printRows((await traced(make, test, 1)).events);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]?.msg).toMatch(/^000000 INFO /);
      for (const row of rows) {
        const time = Number(DSLOG.exec(row.msg)?.[1]);
        // dslogs time: (Date.now() - start) * 10, in 0.1 ms; Date.now() is the epoch + floor(virtual ms).
        expect(time / 10).toBe(Math.floor(row.t));
      }
    }
  });

  it("--label-prints prefixes each line reaching the terminal with its peer and virtual time", async () => {
    const { make } = await loadFixture("label");
    const run = await traced(make, "TestInitialElection3A", 1, { labelPrints: true });
    const lines = run.streamed.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(printRows(run.events).length);
    for (const l of lines) {
      const m = /^\[S(\d) (\d+\.\d{3})s\] (\d+) [A-Z]{4} S(\d) /.exec(l);
      expect(m, l).not.toBeNull();
      expect(m?.[1]).toBe(m?.[4]);
      expect(Math.floor(Number(m?.[2]) * 1000)).toBe(Number(m?.[3]) / 10);
    }
  });

  it("the tester's own lab lines are not prints", async () => {
    const { make } = await loadFixture("lab-lines");
    const output: string[] = [];
    const events: TraceEvent[] = [];
    await runTest("TestInitialElection3A", { seed: 1, impl: make, trace: (e) => events.push(e), output: (l) => output.push(l) });
    expect(output.some((l) => l.startsWith("Test (3A)"))).toBe(true);
    expect(printRows(events).some((r) => r.msg.startsWith("Test (3A)"))).toBe(false);
  });
});
