// The pieces of `pnpm bench` that decide what is measured and how it is shown: the echo baseline moves
// the same messages as the Raft it is compared with, a command stream is reproducible, flags are
// validated, and colour follows the TTY/NO_COLOR rule. (The figures themselves are benchmarks, not
// tests: nothing here asserts a speed.)

import { make } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { parseBenchArgs, UsageError } from "../../src/bench/args.js";
import { main } from "../../src/bench/cli.js";
import { runCommandStream } from "../../src/bench/cluster.js";
import { measureCore } from "../../src/bench/core.js";
import { measureIsolation, median, type IsolationRound } from "../../src/bench/isolation.js";
import { makeEcho } from "../../src/bench/echo.js";
import { SPIN_BLOCK, spinCounts, spinRate } from "../../src/bench/spin.js";
import { makePaint, renderFigure, renderFigureMarkdown, renderTable } from "../../src/bench/render.js";

describe("command stream cluster (figure 2)", () => {
  it("commits exactly the requested commands with our Raft and with the echo baseline", async () => {
    for (const impl of [make, makeEcho]) {
      for (const peers of [3, 5]) {
        const r = await runCommandStream({ impl, peers, commands: 150, seed: 7, trace: false });
        expect(r.commands).toBe(150);
        expect(r.rpcs).toBeGreaterThan(0);
      }
    }
  });

  it("is deterministic: the same seed moves the same messages and trace events", async () => {
    const a = await runCommandStream({ impl: make, peers: 5, commands: 120, seed: 3, trace: true });
    const b = await runCommandStream({ impl: make, peers: 5, commands: 120, seed: 3, trace: true });
    expect([a.rpcs, a.bytes, a.simEvents, a.traceEvents, a.traceBytes]).toEqual([b.rpcs, b.bytes, b.simEvents, b.traceEvents, b.traceBytes]);
    expect(a.traceEvents).toBeGreaterThan(0);
  });

  it("echo baseline moves about as many messages and bytes per command as the Raft (within 20%)", async () => {
    for (const peers of [3, 5]) {
      const raft = await runCommandStream({ impl: make, peers, commands: 400, seed: 11, trace: false });
      const echo = await runCommandStream({ impl: makeEcho, peers, commands: 400, seed: 11, trace: false });
      expect(echo.rpcs / raft.rpcs).toBeGreaterThan(0.8);
      expect(echo.rpcs / raft.rpcs).toBeLessThan(1.2);
      expect(echo.bytes / raft.bytes).toBeGreaterThan(0.8);
      expect(echo.bytes / raft.bytes).toBeLessThan(1.2);
    }
  });

  it("tracing off emits nothing; built counts events without serialising; on serialises every event", async () => {
    const off = await runCommandStream({ impl: make, peers: 3, commands: 50, seed: 1, trace: false });
    const built = await runCommandStream({ impl: make, peers: 3, commands: 50, seed: 1, trace: true, serialise: false });
    const on = await runCommandStream({ impl: make, peers: 3, commands: 50, seed: 1, trace: true });
    expect(off.traceEvents).toBe(0);
    expect(built.traceEvents).toBe(on.traceEvents);
    expect(built.traceBytes).toBe(0);
    expect(on.traceBytes).toBeGreaterThan(on.traceEvents * 20);
    // Tracing changes no behaviour: the same messages either way.
    expect(on.rpcs).toBe(off.rpcs);
    expect(built.rpcs).toBe(off.rpcs);
  });

  it("measureCore reports each Raft variant relative to the echo floor at its peer count", async () => {
    const { rows } = await measureCore({ commands: 30, timeMs: 20, peerCounts: [3] }, () => {});
    expect(rows.map((r) => r.name)).toEqual(["echo baseline, 3 peers", "raft, 3 peers, trace off", "raft, 3 peers, trace built", "raft, 3 peers, trace JSON"]);
    const echo = rows[0];
    expect(echo?.vsEcho).toBe(1);
    for (const r of rows) {
      expect(r.cpuUsPerCmd).toBeGreaterThan(0);
      expect(Number.isFinite(r.vsEcho)).toBe(true);
    }
  });
});

describe("machine capacity probe (figure 4)", () => {
  // How much work the threads get done depends on the machine's load; that is what the probe measures
  // (in `pnpm bench`), so nothing here compares amounts of work or speeds.
  it("counts work done by each spinning thread, at least one block each however busy the machine", async () => {
    const { counts, elapsedMs } = await spinCounts(2, 20);
    expect(counts).toHaveLength(2);
    for (const n of counts) {
      expect(n % SPIN_BLOCK).toBe(0);
      expect(n).toBeGreaterThanOrEqual(SPIN_BLOCK);
    }
    expect(elapsedMs).toBeGreaterThan(0);
    const rate = await spinRate(1, 10);
    expect(Number.isFinite(rate) && rate > 0).toBe(true);
  });
});

describe("bench flags", () => {
  it("defaults: every figure, seeds 1..3", () => {
    expect(parseBenchArgs([])).toEqual({
      help: false,
      only: ["suite", "core", "logviz", "batch", "persist", "isolation"],
      seeds: 3,
      json: null,
      markdown: null,
      quick: false,
    });
  });

  it("--only keeps the canonical order; --seeds and --json are read", () => {
    const a = parseBenchArgs(["--only", "batch,suite", "--seeds", "5", "--json", "out.json"]);
    expect(a.only).toEqual(["suite", "batch"]);
    expect(a.seeds).toBe(5);
    expect(a.json).toBe("out.json");
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--only", "suite,nope"], /unknown figure "nope"/],
    [["--only", ","], /needs a list/],
    [["--seeds", "0"], /--seeds must be an integer/],
    [["--seeds", "2.5"], /--seeds must be an integer/],
    [["--seeds", "1001"], /--seeds must be an integer/],
    [["stray"], /positional/],
  ])("%j is a one-line usage error", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(UsageError);
    try {
      parseBenchArgs(argv);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain("\n");
    }
  });

  it("main: a usage error prints one line and exits 2; --help exits 0", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), colour: false };
    expect(await main(["--frobnicate"], io)).toBe(2);
    expect(err.join("")).toMatch(/^bench: Unknown option '--frobnicate'.*\n$/);
    expect(err.join("").trim().split("\n")).toHaveLength(1);
    expect(out).toEqual([]);
    expect(await main(["--help"], io)).toBe(0);
    expect(out.join("")).toContain("--only LIST");
  });
});

describe("output", () => {
  it("plain tables have no escape sequences and aligned columns", () => {
    const t = renderTable(
      {
        columns: ["name", "value"],
        rows: [
          ["a", "1.5"],
          ["longer", "22.25"],
        ],
      },
      makePaint(false),
    );
    expect(t).not.toContain("\u001b");
    const lines = t.split("\n");
    expect(lines).toHaveLength(4);
    // Numbers are right-aligned under their header.
    expect(lines[2]?.endsWith("  1.5")).toBe(true);
    expect(lines[3]?.endsWith("22.25")).toBe(true);
  });

  it("a figure that could not be measured says so instead of showing numbers", () => {
    const s = renderFigure({ id: "logviz", title: "3. logviz", tables: [], goals: [], notes: [], notMeasured: "module missing", data: {} }, makePaint(false));
    expect(s).toBe("3. logviz\n  not measured: module missing");
  });

  it("markdown tables escape pipes and right-align number columns", () => {
    const md = renderFigureMarkdown({ id: "core", title: "2. core", tables: [{ columns: ["a", "b"], rows: [["x|y", 1]] }], goals: [], notes: ["n"], data: {} });
    expect(md).toBe("### 2. core\n\n| a | b |\n| --- | ---: |\n| x\\|y | 1 |\n\n- n");
  });

  it("goals show a verdict either way", () => {
    const s = renderFigure(
      {
        id: "suite",
        title: "t",
        tables: [],
        notes: [],
        data: {},
        goals: [
          { text: "fast", met: false, detail: "6 s" },
          { text: "cheap", met: true, detail: "1 s" },
        ],
      },
      makePaint(false),
    );
    expect(s).toContain("goal NOT met  fast: 6 s");
    expect(s).toContain("goal met      cheap: 1 s");
  });
});

describe("isolation figure (figure 6)", () => {
  it("median of an odd and of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it("runs the whole suite isolated and unisolated in each round, alternating which goes first", async () => {
    const { figure, failedRuns } = await measureIsolation({ rounds: 2, seed: 1 }, () => {});
    expect(figure.notMeasured).toBeUndefined();
    expect(failedRuns).toBe(0);
    const data = figure.data as { rounds: IsolationRound[]; medianOfRatios: number };
    expect(data.rounds.map((r) => r.first)).toEqual(["baseline", "isolated"]);
    for (const r of data.rounds) {
      expect([r.isolated.mode, r.baseline.mode]).toEqual(["isolated", "baseline"]);
      expect([r.isolated.passed, r.baseline.passed]).toEqual([28, 28]);
      expect(r.ratio).toBeCloseTo(r.isolated.cpuUs / r.baseline.cpuUs, 9);
    }
    expect(Number.isFinite(data.medianOfRatios) && data.medianOfRatios > 0).toBe(true);
    expect(figure.goals).toHaveLength(1);
  }, 180_000);
});
