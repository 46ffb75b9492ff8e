// The runner API the CLI and the batch runner build on: matching patterns and loading implementations.

import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { ImplLoadError, loadImpl, matchTests, runTest, TESTS, UnknownPatternError } from "../src/runner.js";

const names = (patterns: string[]): string[] => matchTests(patterns).map((t) => t.name);

describe("matchTests", () => {
  it("matches a part, a full name or a fragment, ignoring case, in the lab's order without duplicates", () => {
    expect(names(["3A"])).toEqual(["TestInitialElection3A", "TestReElection3A", "TestManyElections3A"]);
    expect(names(["TestBackup3B"])).toEqual(["TestBackup3B"]);
    expect(names(["figure8"])).toEqual(["TestFigure83C", "TestFigure8Unreliable3C"]);
    expect(names(["backup", "3a", "Backup"])).toEqual(["TestInitialElection3A", "TestReElection3A", "TestManyElections3A", "TestBackup3B"]);
    expect(names([])).toHaveLength(TESTS.length);
  });

  it("throws UnknownPatternError with one line for a pattern matching nothing", () => {
    expect(() => matchTests(["3A", "nope"])).toThrow(UnknownPatternError);
    expect(() => matchTests(["nope"])).toThrow('no test matches "nope" (try: raftlab list)');
    expect(() => matchTests([""])).toThrow(UnknownPatternError);
  });

  it("runTest rejects an unknown test name (a usage error, not a failing Raft)", async () => {
    await expect(runTest("TestNope", { seed: 1 })).rejects.toThrow(UnknownPatternError);
  });
});

describe("loadImpl", () => {
  const fixture = (f: string): string => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
  it("loads a module exporting make", async () => {
    expect(typeof (await loadImpl(fixture("never-commits.mjs")))).toBe("function");
  });
  it("rejects a module without make, or that cannot load, with one line", async () => {
    await expect(loadImpl(fixture("no-make.mjs"))).rejects.toThrow(ImplLoadError);
    const err = await loadImpl("/no/such/file.js").catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ImplLoadError);
    expect((err as Error).message.split("\n")).toHaveLength(1);
  });
});
