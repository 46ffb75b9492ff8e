// Issue 10: a full disk is a clear, one-line stop with a non-zero exit, not an uncaught ENOSPC stack
// (which is what `raftlab batch --archive` printed when its output folder filled up). The disk is a
// real one: a 1 MiB tmpfs, mounted for the test. Mounting needs root (CI and this sandbox run as
// root); elsewhere the test is skipped, and says so in its name.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

function mountSmallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-full-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { encoding: "utf8" });
  if (r.status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return null;
}

const disk = mountSmallDisk();

afterAll(() => {
  if (disk === null) return;
  spawnSync("umount", [disk]);
  rmSync(disk, { recursive: true, force: true });
});

describe.skipIf(disk === null)("a full disk (1 MiB tmpfs; skipped where mount is not permitted)", () => {
  it("batch --archive stops at the first artifact it cannot save: one stderr line, exit 1, no half-written files, the report kept", () => {
    const out = join(disk as string, "out");
    const json = join(disk as string, "report.json");
    // Figure8Unreliable's archived traces are a few hundred KiB each: the disk fills within a few runs.
    const r = spawnSync(
      process.execPath,
      [cli, "batch", "TestFigure8Unreliable3C", "-n", "40", "-j", "2", "-a", "-q", "--no-verify", "-o", out, "--json", json],
      {
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const stderrLines = r.stderr.split("\n").filter((l) => l !== "");
    expect(stderrLines).toEqual([expect.stringMatching(/^raftlab batch: stopped: cannot save run artifacts: ENOSPC: no space left on device/)]);
    expect(r.stdout).toMatch(/stopped: cannot save run artifacts \(ENOSPC/);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^\d+ passed, \d+ failed$/);
    // Every artifact the report names is there and whole (a .log ends with a newline); no orphans.
    const files = new Set(readdirSync(out));
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      runs: { trace: string | null; log: string | null }[];
      error?: string;
      interrupted: boolean;
    };
    expect(report.error).toMatch(/^stopped: cannot save run artifacts: ENOSPC/);
    expect(report.interrupted).toBe(true);
    expect(report.runs.length).toBeLessThan(40);
    // report.html too (no failing run, so no run pages), whole or not there at all.
    const named = new Set<string>(["report.json", "journal.jsonl", "report.html"]);
    if (files.has("report.html")) expect(readFileSync(join(out, "report.html"), "utf8").endsWith("</html>\n")).toBe(true);
    for (const run of report.runs) {
      for (const f of [run.trace, run.log]) {
        if (f === null) continue;
        named.add(f);
        expect(files.has(f), f).toBe(true);
      }
      if (run.log !== null) expect(readFileSync(join(out, run.log), "utf8").endsWith("\n")).toBe(true);
    }
    expect([...files].filter((f) => !named.has(f))).toEqual([]);
    expect(existsSync(json)).toBe(true);
  }, 320_000);

  it("run --trace to a full disk is one line and exit 1", () => {
    const r = spawnSync(process.execPath, [cli, "run", "TestFigure8Unreliable3C", "--seed", "1", "--trace", "/dev/full"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/^raftlab run: cannot write the trace to \/dev\/full: ENOSPC: no space left on device$/m);
  }, 150_000);
});
