// Issue 11 §4: conformance in `raftlab batch` as its own group. `raftlab batch conform [patterns]` adds
// a test named Conformance (every case, once per seed); its failures are grouped by the first failing
// case, its .log lists every case, and its replay command is `raftlab conform --seed N --impl M`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { mutantPath } from "../fixtures/mutants/load.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "raftlab-conform-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raftlab = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe("raftlab batch conform", () => {
  it("our Raft: a Conformance row beside the lab tests, all passing", () => {
    const r = raftlab(["batch", "conform", "InitialElection", "-n", "2", "-q", "-o", join(dir, "ours")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Conformance\s+0\s+2\s/m);
    expect(r.stdout).toMatch(/^TestInitialElection3A\s+0\s+2\s/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("4 passed, 0 failed");
  }, 250_000);

  it("a broken Raft: its Conformance runs fail, grouped by the first failing case, with a conform replay command", () => {
    const impl = mutantPath("serial-append-entries");
    const out = join(dir, "broken");
    const r = raftlab(["batch", "conform", "-n", "2", "-q", "-o", out, "--impl", impl]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Conformance\s+2\s+2\s/m);
    expect(r.stdout).toMatch(/\[1\] 2× fail: Leaders: upon election, send initial empty AppendEntries/);
    expect(r.stdout).toContain(`replay: raftlab conform --seed 1 --impl ${impl}`);
    const log = readFileSync(join(out, "Conformance-1.log"), "utf8");
    expect(log.split("\n").filter((l) => /^[✓✗] /.test(l)).length).toBeGreaterThanOrEqual(40);
    // The printed replay command reproduces it.
    const replay = raftlab(["conform", "--seed", "1", "--impl", impl]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain("✗ Leaders: upon election, send initial empty AppendEntries");
  }, 250_000);
});
