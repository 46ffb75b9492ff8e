// Print mode reading a file into a slow reader (a pager, `| slow-consumer`): it must stop reading the
// file until stdout drains, not queue the whole output in memory (`--print 1m.log | wc -l` with a slow
// wc peaked at 431 MB). Checked with a heap far smaller than the output: the reader takes nothing for a
// while, then everything; logviz must finish with every line delivered, not die of "heap out of memory".
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";

const LINES = 600_000;
let dir = "";
let file = "";

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "logviz-backpressure-"));
  file = join(dir, "big.jsonl");
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++)
    lines.push(JSON.stringify({ t: i, src: i % 3, term: 1, state: "follower", op: "Log", topic: "LOG1", msg: `message number ${i} ${"x".repeat(40)}` }));
  writeFileSync(file, `${lines.join("\n")}\n`); // about 80 MB of output in list layout
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("print mode backpressure", () => {
  it("a file printed into a reader that stalls, under a 48 MB heap: every line arrives, exit 0", async () => {
    const child = spawn(process.execPath, ["--max-old-space-size=48", CLI, "--print", "--layout", "list", file], { env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.pause();
    // Stall until the pipe is surely full (logviz has had time to produce far more than 64 KiB), then read.
    await new Promise((r) => setTimeout(r, 1500));
    let newlines = 0;
    child.stdout.on("data", (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) newlines += 1;
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(stderr).not.toMatch(/heap out of memory/);
    expect(code).toBe(0);
    expect(newlines).toBeGreaterThanOrEqual(LINES);
  }, 180_000);
});
