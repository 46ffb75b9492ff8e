// Issue 19 point 5b-c: `--to jsonl` stops reading while its reader stalls (it reached 2.5-3 GB RSS), a
// named FIFO is read (the gzip check opened it, closed it and opened it again: the writer hung), and a
// process substitution `<(cmd)` is read (reading it by offset failed with ESPIPE).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";

const STALE = join(import.meta.dirname, "corpus", "stale.log");
const LINES = 400_000;
let dir = "";
let big = "";

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "logviz-odd-"));
  big = join(dir, "big.log");
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) lines.push(`${String(i).padStart(6, "0")} LOG1 S${i % 3} Follower@T1: message number ${i} ${"x".repeat(40)}`);
  writeFileSync(big, `${lines.join("\n")}\n`); // about 140 MB of JSON lines out
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("odd inputs", () => {
  it("--to jsonl into a reader that stalls, under a 48 MB heap: every line arrives, exit 0", async () => {
    const child = spawn(process.execPath, ["--max-old-space-size=48", CLI, big, "--to", "jsonl"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500));
    let newlines = 0;
    child.stdout.on("data", (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) newlines += 1;
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(stderr).not.toMatch(/heap out of memory/);
    expect(code).toBe(0);
    expect(newlines).toBe(LINES);
  }, 240_000);

  it("a named FIFO is read once, plain or gzip", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const gz = join(dir, "stale.log.gz");
    writeFileSync(gz, gzipSync(readFileSync(STALE)));
    for (const src of [STALE, gz]) {
      // The writer and logviz run side by side; a hang ends at the timeout with a non-zero status.
      const r = spawnSync("bash", ["-c", `cat "$1" > "$2" & exec "$3" "$4" "$2" --to jsonl`, "x", src, fifo, process.execPath, CLI], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout.split("\n").filter((l) => l !== "")).toHaveLength(82);
    }
  }, 180_000);

  it("a process substitution <(cmd) is read, in print mode and --to jsonl", () => {
    for (const mode of ["--print", "--to jsonl"]) {
      const r = spawnSync(
        "bash",
        ["-c", `exec "$1" "$2" <(cat "$3") ${mode} --layout list`.replace(" --to jsonl --layout list", " --to jsonl"), "x", process.execPath, CLI, STALE],
        { encoding: "utf8", timeout: 60_000 },
      );
      expect(r.stderr, mode).toBe("");
      expect(r.status, mode).toBe(0);
      expect(r.stdout, mode).toContain("TestFigure83C");
    }
  }, 120_000);
});
