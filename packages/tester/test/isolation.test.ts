// Issue 20 §1: the verdict is out of the impl's reach. The hostile Rafts in fixtures/hostile/ try to
// fake a pass in `raftlab run`, `batch` and `conform`; each must end as a failure with a clear line.
// The channel's authentication and the frozen intrinsics are checked on their own too.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { ForgedMessageError, MessageReader, newSecret } from "../src/isolation/channel.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cli = join(root, "packages/tester/dist/cli.js");
const hostile = (f: string): string => join(root, "packages/tester/test/fixtures/hostile", f);
const tmp = mkdtempSync(join(tmpdir(), "raftlab-isolation-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function raftlab(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every hostile Raft, and what its `raftlab run` must say. */
const HOSTILE: readonly { file: string; run: RegExp }[] = [
  {
    file: "patch-array-find.mjs",
    run: /^raftlab run: --impl: cannot load .*patch-array-find\.mjs: it patched Array\.prototype\.find \(built-ins are frozen while a Raft runs\)\n$/,
  },
  {
    file: "patch-array-find-sloppy.cjs",
    run: /^raftlab run: --impl: cannot load .*patch-array-find-sloppy\.cjs: it patched Array\.prototype\.find \(built-ins are frozen while a Raft runs\)\n$/,
  },
  {
    file: "patch-iterator-next-at-load.mjs",
    run: /^raftlab run: --impl: cannot load .*patch-iterator-next-at-load\.mjs: it patched %ArrayIteratorPrototype%\.next \(built-ins are frozen while a Raft runs\)\n$/,
  },
  { file: "really-exit-in-make.mjs", run: /\[crash\] the test process exited with code 0 before reporting the result; counted as a failure/ },
  { file: "exit-code-zero.mjs", run: /--- FAIL: TestInitialElection3A/ },
  { file: "rewrite-stdout.mjs", run: /--- FAIL: TestInitialElection3A/ },
  { file: "saved-writer.mjs", run: /\[crash\] the test process exited with code 0 before reporting the result/ },
  // Posts a passing record on parentPort: in a batch's run thread, where results went before (issue 20).
  { file: "forged-thread-verdict.mjs", run: /--- FAIL: TestInitialElection3A/ },
  { file: "forged-verdict.mjs", run: /\[crash\] the test process sent a message that is not the tester's \(a message without the tester's signature\)/ },
];

describe("hostile Rafts cannot fake a pass", () => {
  for (const h of HOSTILE) {
    it(`raftlab run: ${h.file} fails with a clear line`, () => {
      const r = raftlab("run", "InitialElection", "--impl", hostile(h.file));
      expect(r.code).not.toBe(0);
      expect(r.out + r.err).toMatch(h.run);
      // The summary is the tester's: never "N passed, 0 failed".
      if (r.code === 1) expect(r.out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
    }, 200_000);

    it(`raftlab batch: ${h.file} fails, in the report too`, () => {
      const out = join(tmp, `batch-${h.file}`);
      const r = raftlab("batch", "InitialElection", "-n", "1", "--impl", hostile(h.file), "-o", out);
      expect(r.code).not.toBe(0);
      if (r.code === 1) {
        expect(r.out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
        const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as { runs: { ok: boolean }[] };
        expect(report.runs.every((x) => !x.ok)).toBe(true);
      } else {
        expect(r.err).toMatch(
          /^raftlab batch: --impl .*it patched (Array\.prototype\.find|%ArrayIteratorPrototype%\.next) \(built-ins are frozen while a Raft runs\)\n$/,
        );
      }
    }, 200_000);

    it(`raftlab conform: ${h.file} fails with a clear line`, () => {
      const r = raftlab("conform", "RequestVote 1", "--impl", hostile(h.file));
      expect(r.code).not.toBe(0);
      if (r.code === 1) expect(r.out.trimEnd().split("\n").at(-1)).toMatch(/^0 passed, [1-9]\d* failed$/);
      else
        expect(r.err).toMatch(
          /^raftlab conform: --impl: .*it patched (Array\.prototype\.find|%ArrayIteratorPrototype%\.next) \(built-ins are frozen while a Raft runs\)\n$/,
        );
    }, 200_000);
  }

  // Array.prototype and the iterator prototypes are watched, not frozen (isolation/freeze.ts): a patch
  // made while the Raft runs succeeds, and the verdict must still be a failure naming it. Both patches
  // behave like the built-in and the Raft is ours, so without the check these runs would pass.
  for (const [file, name] of [
    ["patch-find-in-make.mjs", "Array.prototype.find"],
    ["patch-iterator-next.mjs", "%ArrayIteratorPrototype%.next"],
  ] as const) {
    const says = `the Raft patched ${name} (built-ins are frozen while a Raft runs)`;
    it(`raftlab run: a patch of ${name} in make() fails the run at its verdict`, () => {
      const r = raftlab("run", "InitialElection", "--impl", hostile(file));
      expect(r.code).toBe(1);
      expect(r.out).toContain(says);
      expect(r.out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
    }, 200_000);

    it(`raftlab batch: a patch of ${name} in make() fails the run, in the report too`, () => {
      const out = join(tmp, `batch-${file}`);
      const r = raftlab("batch", "InitialElection", "-n", "1", "--impl", hostile(file), "-o", out);
      expect(r.code).toBe(1);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as { runs: { ok: boolean; message: string | null }[] };
      expect(report.runs.map((x) => [x.ok, x.message])).toEqual([[false, says]]);
    }, 200_000);

    it(`raftlab conform: a patch of ${name} in make() fails the case`, () => {
      const r = raftlab("conform", "RequestVote 1", "--impl", hostile(file));
      expect(r.code).toBe(1);
      expect(r.out).toContain(says);
    }, 200_000);
  }

  it("an honest run's lines are unchanged by the isolation", () => {
    const r = raftlab("run", "InitialElection");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Test \(3A\): initial election \.\.\.\n {2}\.\.\. Passed -- .*\n1 passed, 0 failed\n$/);
  }, 200_000);
});

describe("the channel believes only the child tester's next message", () => {
  const frame = (secret: Buffer, seq: number, message: object): string => {
    const json = JSON.stringify(message);
    return `${seq} ${createHmac("sha256", secret).update(`${seq} ${json}`).digest("hex")} ${json}\n`;
  };

  it("accepts signed messages in order, split anywhere", () => {
    const secret = newSecret();
    const reader = new MessageReader(secret);
    const text = frame(secret, 1, { t: "ready" }) + frame(secret, 2, { t: "result", ok: false });
    const got = [...reader.feed(text.slice(0, 7)), ...reader.feed(text.slice(7))];
    expect(got).toEqual([{ t: "ready" }, { t: "result", ok: false }]);
  });

  it("rejects a forged signature, another secret, a replay, a skipped number and a stray line", () => {
    const secret = newSecret();
    expect(() => new MessageReader(secret).feed(`1 ${"0".repeat(64)} {"t":"result","ok":true}\n`)).toThrow(ForgedMessageError);
    expect(() => new MessageReader(secret).feed(frame(newSecret(), 1, { t: "ready" }))).toThrow(/signature/);
    const replay = new MessageReader(secret);
    replay.feed(frame(secret, 1, { t: "ready" }));
    expect(() => replay.feed(frame(secret, 1, { t: "ready" }))).toThrow(/message 1 where 2 was due/);
    expect(() => new MessageReader(secret).feed(frame(secret, 2, { t: "ready" }))).toThrow(/message 2 where 1 was due/);
    expect(() => new MessageReader(secret).feed("28 passed, 0 failed\n")).toThrow(/not a message of the tester/);
  });
});
