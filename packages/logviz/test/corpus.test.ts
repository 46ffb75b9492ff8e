// The dslogs corpus (test/corpus/*.log): logs in the styles Go 6.5840 students print, each with the
// roles and terms a person reads from it (test/corpus/*.expect, written by hand from the text, not from
// logviz's output). `--to jsonl` output is checked against them line by line.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { JsonlConverter } from "../src/tojsonl.js";
import type { InferOptions } from "../src/infer.js";
import { CLI, ensureBuilt } from "./build.js";

const DIR = join(import.meta.dirname, "corpus");
const NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith(".log"))
  .map((f) => f.slice(0, -4))
  .sort();

interface Expected {
  readonly line: number;
  readonly src: number;
  readonly term: number;
  readonly state: string;
  /** stale.expect only: the peer's instance within the test and whether the line is stale. */
  readonly instance?: number;
  readonly stale?: boolean;
}

function expectations(name: string): Expected[] {
  return readFileSync(join(DIR, `${name}.expect`), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => {
      const [line, src, term, state, instance, stale] = l.trim().split(/\s+/);
      const base = { line: Number(line), src: Number(src), term: Number(term), state: state as string };
      return instance === undefined ? base : { ...base, instance: Number(instance), stale: stale === "1" };
    });
}

type Event = Record<string, unknown> & { line: number; src: number; term: number; state: string; raw: string };

function convert(text: string, options: InferOptions = {}): Event[] {
  let out = "";
  const c = new JsonlConverter((s) => (out += s), options);
  c.push(Buffer.from(text));
  c.end();
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Event);
}

/** Rows whose (src, term, state) differ from the expectation, as readable strings. */
function mismatches(events: Event[], want: Expected[]): string[] {
  const byLine = new Map(want.map((w) => [w.line, w]));
  const bad: string[] = [];
  for (const e of events) {
    const w = byLine.get(e.line);
    const withInstance = w?.instance !== undefined;
    const got = `${e.src} ${e.term} ${e.state}` + (withInstance ? ` ${String(e.instance)} ${e.stale === true ? 1 : 0}` : "");
    if (w === undefined) {
      if (e.src >= 0) bad.push(`line ${e.line}: a peer row (${got}) where none was expected`);
    } else {
      const want = `${w.src} ${w.term} ${w.state}` + (withInstance ? ` ${w.instance} ${w.stale === true ? 1 : 0}` : "");
      if (got !== want) bad.push(`line ${e.line}: got ${got}, want ${want}: ${e.raw}`);
    }
  }
  return bad;
}

describe("dslogs corpus: --to jsonl against hand-written expectations", () => {
  it("has the three styles and a mixed log", () => {
    expect(NAMES).toEqual(["arrow", "explicit", "mixed", "plain", "stale"]);
  });

  for (const name of NAMES) {
    it(`${name}.log: every row's peer, term and role as a person reads them`, () => {
      const text = readFileSync(join(DIR, `${name}.log`), "utf8");
      const events = convert(text);
      const lines = text.split("\n").slice(0, -1);
      // One event per input line, numbered from 1, with the original text.
      expect(events.map((e) => e.line)).toEqual(lines.map((_, i) => i + 1));
      expect(events.map((e) => e.raw)).toEqual(lines);
      const want = expectations(name);
      expect(want.length).toBeGreaterThan(15);
      expect(mismatches(events, want)).toEqual([]);
    });
  }

  it("the checker catches the old rules (first T<n> anywhere is the term, roles from phrases only)", () => {
    // A broken inference built here, outside product code: what logviz did before issue 9.
    const naive = (text: string): Event[] => {
      const term = new Map<number, number>();
      const role = new Map<number, string>();
      return text
        .split("\n")
        .slice(0, -1)
        .map((raw, k) => {
          const m = /^(\d+) +[A-Z][A-Z0-9]+ +S(\d+) +(.*)$/.exec(raw);
          if (!m) return { line: k + 1, src: -1, term: -1, state: "none", raw };
          const src = Number(m[2]);
          const t = /\bT(\d+)\b/.exec(m[3] as string);
          if (t) term.set(src, Number(t[1]));
          const r = /\b(?:becom\w*|convert\w*|to)\s+(leader|candidate|follower)\b/i.exec(m[3] as string);
          if (r) role.set(src, (r[1] as string).toLowerCase());
          return { line: k + 1, src, term: term.get(src) ?? -1, state: role.get(src) ?? "follower", raw };
        });
    };
    for (const [name, atLeast] of [
      ["arrow", 5],
      ["explicit", 5],
    ] as const) {
      const bad = mismatches(naive(readFileSync(join(DIR, `${name}.log`), "utf8")), expectations(name));
      expect(bad.length, name).toBeGreaterThanOrEqual(atLeast);
    }
    expect(mismatches(naive(readFileSync(join(DIR, "arrow.log"), "utf8")), expectations("arrow")).join("\n")).toContain("PL(I0, T0)");
  });

  it("start-up lines printed after a test's end and before the next title belong to the next test", () => {
    const events = convert(readFileSync(join(DIR, "arrow.log"), "utf8"));
    const testOf = (line: number): unknown => events[line - 1]?.test;
    expect(testOf(1)).toBe("(3A) initial election (reliable network)");
    expect(testOf(17)).toBe("(3A) initial election (reliable network)");
    for (const l of [19, 20, 21, 22, 23, 24]) expect(testOf(l)).toBe("(3B) basic agreement (reliable network)");
    expect(events[17]?.op).toBe("TestEnd");
    expect(events[23]?.op).toBe("TestBegin");
  });

  it("go test -v: === RUN starts a test, the tester's title and the results stay in it", () => {
    const events = convert(readFileSync(join(DIR, "explicit.log"), "utf8"));
    const begins = events.filter((e) => e.op === "TestBegin").map((e) => e.test);
    expect(begins).toEqual(["TestInitialElection3A", "TestReElection3A"]);
    expect(events[4]?.test).toBe("TestInitialElection3A"); // "Test (3A): initial election ..."
    expect(events.filter((e) => e.op === "TestEnd").map((e) => [e.line, e.ok])).toEqual([
      [21, true],
      [22, true],
      [45, true],
      [46, true],
    ]);
  });

  it("keeps messages' direction, full 0.1 ms times, and marks the panic as a failure", () => {
    const events = convert(readFileSync(join(DIR, "mixed.log"), "utf8"));
    const at = (line: number): Event => events[line - 1] as Event;
    expect(at(8).t).toBe(121543.2);
    expect(at(10)).toMatchObject({ src: 10, dst: 11, from: 10, dir: "send" });
    expect(at(14)).toMatchObject({ src: 3, from: 10, dst: 3, dir: "recv" });
    expect(at(21)).toMatchObject({ src: 11, from: 10, dst: 11, dir: "recv" });
    expect(at(22)).toMatchObject({ op: "TestFail", src: -1 });
    expect(at(4).raw).toContain("\x1b[36m");
    expect(at(4).msg).not.toContain("\x1b");
  });
});

describe("logviz FILE --to jsonl (the built binary)", () => {
  it("writes the same events as the converter, and rejects a bad --term-re with exit 2", () => {
    ensureBuilt();
    const bin = CLI;
    const file = join(DIR, "plain.log");
    const out = execFileSync(process.execPath, [bin, file, "--to", "jsonl"], { encoding: "utf8" });
    const events = out
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Event);
    expect(mismatches(events, expectations("plain"))).toEqual([]);
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [bin, file, "--to", "jsonl", "--term-re", "T(\\d+"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^logviz: bad --term-re/);
  });
});
