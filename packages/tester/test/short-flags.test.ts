// Issue 10, consistent CLIs: every short flag means one thing across all raftlab commands (once `-s`
// was --seed in `run` but --sequential in `batch`, and `-t` --trace in `run` but --timeout in `batch`).
// Read from each command's own --help, so a new flag that breaks the rule fails here.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/raftlab.js", import.meta.url));
const COMMANDS = ["list", "run", "batch", "triage", "merge", "stress", "conform", "init", "shrink"];

describe("short flags (issue 10)", () => {
  it("each short flag stands for the same long flag in every raftlab command", () => {
    const meaning = new Map<string, { long: string; command: string }>();
    for (const command of COMMANDS) {
      const r = spawnSync(process.execPath, [bin, command, "--help"], { encoding: "utf8", timeout: 60_000 });
      expect(r.status, `${command} --help`).toBe(0);
      for (const m of r.stdout.matchAll(/^\s+(-[A-Za-z]), (--[a-z][a-z-]*)/gm)) {
        const [, short, long] = m as unknown as [string, string, string];
        const seen = meaning.get(short);
        if (seen === undefined) meaning.set(short, { long, command });
        else expect(long, `${short} is ${seen.long} in ${seen.command} but ${long} in ${command}`).toBe(seen.long);
      }
    }
    expect(meaning.get("-t")?.long).toBe("--timeout");
    expect(meaning.get("-n")?.long).toBe("--iterations");
    // One name for "also save passing runs" (issue 18): --archive in batch and stress.
    expect(meaning.get("-a")?.long).toBe("--archive");
  }, 120_000);
});
