// Print mode writes every row whatever --max-rows says: the bound is the viewer's. A file is read in
// 1 MiB chunks, which hold far more than 1000 short dslogs lines; the rows of a chunk must all be written
// before any is dropped (they were once dropped unwritten, silently).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthDslogsText } from "../src/synth-dslogs.js";
import { CLI, ensureBuilt } from "./build.js";

const LINES = 30_000;
let dir = "";
let file = "";

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "logviz-print-rows-"));
  file = join(dir, "run.log");
  writeFileSync(file, synthDslogsText({ lines: LINES, seed: 3 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [CLI, ...args], {
    input: input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "" },
    maxBuffer: 1 << 28,
    timeout: 60_000,
  });

describe("print mode and --max-rows", () => {
  it("writes every line of a file read in big chunks, with --max-rows 1000 as without", () => {
    const all = run(["--print", "--layout", "list", file]);
    const bounded = run(["--print", "--layout", "list", "--max-rows", "1000", file]);
    expect(all.status).toBe(0);
    expect(bounded.status).toBe(0);
    expect(all.stdout.split("\n").length - 1).toBe(LINES);
    expect(bounded.stdout).toBe(all.stdout);
  });

  it("writes every line of a pipe, with --max-rows 1000", () => {
    const text = synthDslogsText({ lines: LINES, seed: 4 });
    const r = run(["--print", "--layout", "list", "--max-rows", "1000"], text);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").length - 1).toBe(LINES);
  });
});
