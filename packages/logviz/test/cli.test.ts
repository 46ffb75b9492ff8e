import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";
import { SMALL_TRACE } from "./helpers.js";

let dir = "";
let file = "";
const run = (args: string[], input?: string, env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", ...env },
    timeout: 20_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "logviz-cli-"));
  file = join(dir, "small.jsonl");
  writeFileSync(file, SMALL_TRACE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("logviz CLI", () => {
  it("--help documents every flag and key", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--term",
      "--just",
      "--ignore",
      "--peers",
      "--hide-peers",
      "--role",
      "--op",
      "--test",
      "--print",
      "--color",
      "--no-color",
      "--width",
      "--follow",
    ])
      expect(r.out).toContain(flag);
    for (const key of ["j/k", "PgDn", "g / G", "F ", "/ ", "n / N", "] / [", "} / {", "e / E", "Enter", "?", "q"]) expect(r.out).toContain(key);
  });

  it("prints columns when stdout is not a terminal, without colour", () => {
    const r = run([file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+ms term topc │S0/);
    expect(r.out).toContain("── TestBegin  Test Small begins");
    expect(r.out).not.toContain("\x1b");
  });

  it("keeps colour with --color, and respects --width", () => {
    const r = run([file, "--color", "--width", "90"]);
    expect(r.out).toContain("\x1b[");
    const plain = run([file, "--width", "90"]);
    for (const l of plain.out.split("\n")) expect(l.length).toBeLessThanOrEqual(90);
  });

  it("applies flag filters (term range, topics, peers, role, op)", () => {
    expect(run([file, "--term", "2"]).out).not.toContain("RequestVote");
    const just = run([file, "--just", "vote,LEAD"]).out;
    expect(just).toContain("RequestVote");
    expect(just).not.toContain("election timeout");
    expect(run([file, "--ignore", "VOTE"]).out).not.toContain("RequestVote");
    expect(run([file, "--peers", "0,2"]).out.split("\n")[0]).not.toContain("S1");
    expect(run([file, "--hide-peers", "0"]).out.split("\n")[0]).not.toContain("S0");
    const leader = run([file, "--role", "leader"]).out;
    expect(leader).toContain("leader for T1");
    expect(leader).not.toContain("converting to candidate");
    expect(run([file, "--op", "BecomeLeader"]).out).not.toContain("RequestVote");
    expect(run([file, "--test", "Nope"]).out.trim().split("\n")).toHaveLength(1);
  });

  it("reads a pipe on stdin (dslogs and raw lines too)", () => {
    const r = run([], "=== RUN   TestX\n008260 LEAD S1 Achieved Majority for T1 (3), converting to Leader\n008261 LOG1 S1 -> S0 Sending PLI: 0\n");
    expect(r.code).toBe(0);
    expect(r.out).toContain("=== RUN   TestX");
    expect(r.out).toMatch(/826\.0 T1 {3}LEAD │\s+│L Achieved Majority/);
  });

  it("never passes escape sequences from the log to the terminal", () => {
    const r = run(["--color"], "\x1b]52;c;ZXZpbA==\x07\x1b[2J evil\n");
    expect(r.out).toContain("\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J evil");
    expect(r.out).not.toContain("\x1b]");
    expect(r.out).not.toContain("\x07");
  });

  it("usage errors exit 2 with one line, a missing file too (one rule for every command, issue 18)", () => {
    for (const args of [
      ["--bogus"],
      [file, "--term", "3..x"],
      [file, "--width", "5"],
      [file, "--role", "king"],
      [file, "--just", "VO;TE"],
      [file, "--max-rows", "999"],
      [file, "--max-rows", String(2 ** 31)],
      [file, "--max-rows", "1e6"],
    ]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.err, args.join(" ")).toMatch(/^logviz: /);
    }
    const missing = run([join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toMatch(/^logviz: cannot open .*nope\.jsonl: no such file$/);
  });

  it("--print --follow streams rows as they arrive, repeating the header when a new peer appears", async () => {
    const child = spawn(process.execPath, [CLI, "--print", "--follow", "--width", "80"], { env: { ...process.env, NO_COLOR: "" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const waitOut = async (pred: () => boolean): Promise<void> => {
      const end = Date.now() + 10_000;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    child.stdin.write('{"t":1,"src":0,"term":1,"state":"leader","op":"Log","topic":"INFO","msg":"first"}\n');
    await waitOut(() => out.includes("first"));
    expect(out).not.toContain("second"); // printed before the input ended
    child.stdin.write('{"t":2,"src":1,"term":1,"state":"follower","op":"Log","topic":"INFO","msg":"second"}\n');
    await waitOut(() => out.includes("second"));
    child.stdin.end();
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
    const headers = out.split("\n").filter((l) => l.includes("ms term topc"));
    expect(headers).toHaveLength(2);
    expect(headers[1]).toMatch(/│S0\s+│S1/);
  });
});
