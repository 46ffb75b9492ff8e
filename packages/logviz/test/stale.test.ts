// Issue 19 points 1-2: a line's own explicit `Role@T<n>` is the truth for that row, and a peer whose
// explicit terms go down has more than one instance logging (a killed Raft still running): its rows
// from an instance other than the current one are stale, marked, counted, filterable and explained.
// The line-by-line expectations are in test/corpus/stale.expect (corpus.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { F } from "../src/store.js";
import { printRows } from "../src/print.js";
import { makeStyle } from "../src/style.js";
import { detailLines, staleSummary } from "../src/detail.js";
import { Viewer } from "../src/viewer.js";
import { statusLine } from "../src/screen.js";
import { HELP_KEYS } from "../src/help.js";
import { storeOf } from "./helpers.js";
import { CLI, ensureBuilt } from "./build.js";

const DIR = join(import.meta.dirname, "corpus");
const corpus = (name: string): string => readFileSync(join(DIR, `${name}.log`), "utf8");

function printed(text: string, filter = {}): string[] {
  const store = storeOf(text);
  let out = "";
  printRows(store, { filter, width: 140, style: makeStyle(false), layout: "list", write: (s) => ((out += s), true) });
  return out.split("\n").filter((l) => l !== "");
}

describe("a line's own explicit marker is the truth for its row (point 1)", () => {
  it("a lower explicit term after a higher one shows its own term and role, not the peer's last", () => {
    const s = storeOf("=== RUN TestX\n001000 LOG1 S1 Follower@T2: heartbeat ok\n001100 LOG1 S1 Leader@T1 -> S0 heartbeat\n001200 LOG1 S1 no marker here\n");
    expect([s.term[1], s.role[1], s.term[2], s.role[2]]).toEqual([2, 1, 1, 3]);
    // A row without a marker inherits from the instance the tester runs now, not from the stale line.
    expect([s.term[3], s.role[3]]).toEqual([2, 1]);
  });
});

describe("stale instances (point 2)", () => {
  it("logs in which no peer's explicit term goes down have no stale rows and one instance per peer", () => {
    for (const name of ["arrow", "explicit", "mixed", "plain"]) {
      const s = storeOf(corpus(name));
      let stale = 0;
      for (let i = 0; i < s.length; i++) if ((s.flags[i] as number) & F.Stale) stale++;
      expect(stale, name).toBe(0);
      for (let t = 0; t < s.tests.length; t++) expect(s.multipleInstances(t), name).toEqual([]);
    }
  });

  it("marks stale rows with ! and filters them out (--stale hide) or keeps only them (--stale only)", () => {
    const text = corpus("stale");
    const all = printed(text);
    const marked = all.filter((l) => /^ *[\d.]+!T/.test(l));
    expect(marked.length).toBe(10);
    expect(marked[0]).toContain("LOG1 S1   L Leader@T1 -> S0 AppendEntries heartbeat, prev (I1, T1)");
    expect(printed(text, { stale: "hide" }).some((l) => /^ *[\d.]+!T/.test(l))).toBe(false);
    const only = printed(text, { stale: "only" }).filter((l) => /^ *[\d.]+[ !]T\d/.test(l));
    expect(only.length).toBe(10);
    expect(only.every((l) => /^ *[\d.]+!T/.test(l))).toBe(true);
  });

  it("the status line counts the instances of the test at the cursor; the detail pane explains the row", () => {
    const store = storeOf(corpus("stale"));
    expect(staleSummary(store, 1)).toBe("S1: 2 instances logging; a killed Raft still running? check rf.killed()");
    expect(staleSummary(store, 2)).toBe("S0: 3 instances, S1: 2 instances logging; a killed Raft still running? check rf.killed()");
    const v = new Viewer({ store, style: makeStyle(false), source: "stale.log", width: 200, height: 30 });
    expect(statusLine(v, 200)).toContain("S1: 2 instances logging; a killed Raft still running? check rf.killed()");
    const row = 15; // line 16: the killed leader heartbeating at T1
    expect(detailLines(store, row, 120).join("\n")).toMatch(/stale: from an instance of S1 other than the one the tester runs now/);
    expect(detailLines(store, row, 120).join("\n")).toContain("instance=1 of 2");
    expect(detailLines(store, 14, 120).join("\n")).not.toContain("stale:");
  });

  it("x cycles the stale filter: hidden, only stale, all; ? help names the key", () => {
    const v = new Viewer({ store: storeOf(corpus("stale")), style: makeStyle(false), source: "stale.log", width: 200, height: 30 });
    const n = v.visible.length;
    v.key("x");
    expect(v.filter.stale).toBe("hide");
    expect(v.visible.length).toBe(n - 10);
    v.key("x");
    expect(v.filter.stale).toBe("only");
    v.key("x");
    expect(v.filter.stale).toBeUndefined();
    expect(v.visible.length).toBe(n);
    expect(HELP_KEYS).toMatch(/\n {2}x +stale instances/);
  });

  it("--to jsonl says stale: true; --stale is in --help; a bad --stale is a usage error (exit 2)", () => {
    ensureBuilt();
    const file = join(DIR, "stale.log");
    const out = execFileSync(process.execPath, [CLI, file, "--to", "jsonl"], { encoding: "utf8" });
    const stale = out
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { line: number; stale?: boolean })
      .filter((e) => e.stale === true);
    expect(stale.map((e) => e.line)).toEqual([16, 17, 26, 33, 34, 51, 52, 54, 66, 79]);
    expect(execFileSync(process.execPath, [CLI, "--help"], { encoding: "utf8" })).toMatch(/--stale <hide\|only>/);
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [CLI, file, "--stale", "maybe"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr.trim()).toBe('logviz: bad --stale "maybe": expected hide or only');
  });
});
