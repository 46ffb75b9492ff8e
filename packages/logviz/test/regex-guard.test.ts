// Issue 19 point 5d: user regexes can't hang the tool: a pattern with exponential backtracking (a
// repeated group holding a repeat, like `(a+)+$`) is refused with a one-line error naming the regex.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exponentialRisk } from "../src/regex-guard.js";
import { compileUserRegex } from "../src/infer.js";
import { Viewer } from "../src/viewer.js";
import { makeStyle } from "../src/style.js";
import { storeOf } from "./helpers.js";
import { CLI, ensureBuilt } from "./build.js";

describe("regexes that can backtrack exponentially", () => {
  it("are recognised; ordinary patterns are not", () => {
    for (const bad of ["(a+)+$", "(a*)*", "(\\w+\\s?)+x", "((ab)*c)+", "(?:x+y?){2,}", "(a{2,})*"]) expect(exponentialRisk(bad), bad).not.toBeNull();
    for (const ok of ["term=(\\d+)", "^\\[(\\w+)\\]", "(a|b)+", "[(+]+", "\\(a+\\)+", "(ab)+c*", "T(\\d{1,16})", "(?<term>\\d+)", "x{3}", "(a+){1}"])
      expect(exponentialRisk(ok), ok).toBeNull();
  });

  it("--term-re and search refuse them with a one-line error naming the regex", () => {
    expect(() => compileUserRegex("(a+)+$", "--term-re", "term")).toThrow(/^bad --term-re "\(a\+\)\+\$": a repeated group holds a repeat/);
    const v = new Viewer({ store: storeOf(`000001 LOG1 S0 ${"a".repeat(40)}!\n`), style: makeStyle(false), source: "x", width: 100, height: 10 });
    expect(() => v.setSearch("(a+)+$")).toThrow(/^bad pattern: a repeated group holds a repeat/);
  });

  it("the CLI exits 2 with one line for --role-re (a line of 40 a's would never finish)", () => {
    ensureBuilt();
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [CLI, join(import.meta.dirname, "corpus", "plain.log"), "--to", "jsonl", "--role-re", "(a+)+$"], {
        encoding: "utf8",
        stdio: "pipe",
        timeout: 60_000,
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^logviz: bad --role-re "\(a\+\)\+\$"/);
  }, 120_000);
});
