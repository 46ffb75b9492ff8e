// Reading go test output: per-test results, first failure lines, race reports, signatures. The inputs
// are real `go test` outputs (Go 1.19, captured from the test module in gomod/, paths rewritten) and,
// for Go 1.20+'s formats, outputs written from Go's own test runner source.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GoTestParser } from "../../src/stress/gotest.js";
import type { IterationOutcome } from "../../src/stress/process.js";
import { TailBuffer } from "../../src/stress/output.js";
import { rerunCommand } from "../../src/stress/command.js";
import { iterationResults } from "../../src/stress/results.js";
import { normaliseFailureLine, raceSignature, stressSignature } from "../../src/stress/signature.js";

const sample = (name: string): string => readFileSync(new URL(`./fixtures/go-output/${name}`, import.meta.url), "utf8");

function parse(text: string): GoTestParser {
  const p = new GoTestParser(() => 0);
  for (const line of text.split("\n")) p.line(line);
  p.end();
  return p;
}

function outcome(over: Partial<IterationOutcome> = {}): IterationOutcome {
  return { exitCode: 1, signal: null, timedOut: false, cancelled: false, wallMs: 1234, output: new TailBuffer(1024), spawnError: null, ...over };
}

const ctx = (splitTests: boolean) => ({ iteration: 9, label: "go test", splitTests, timeoutSec: 30, log: "9.log", nowMs: 0 });

describe("go test -v output", () => {
  it("yields one result per test with Go's durations, and a panic as the panicking test's failure", () => {
    const p = parse(sample("v-iter9.txt"));
    expect(p.sawRun).toBe(true);
    const tests = p.tests().map((t) => [t.name, t.ok, t.failure?.text ?? null]);
    expect(tests).toEqual([
      ["TestDslogs", false, "stress_test.go:36: Log size too large (8117 bytes)"],
      ["TestFlaky", false, "stress_test.go:45: one(1333) failed to reach agreement"],
      ["TestPanicky", false, "panic: runtime error: index out of range [13] with length 5 [recovered]"],
    ]);
    const r = iterationResults(p, outcome(), ctx(true));
    expect(r.runs.map((x) => [x.test, x.seed, x.ok, x.signature, x.goTest, x.log])).toEqual([
      ["TestDslogs", 9, false, "fail: stress_test.go:36: Log size too large (N bytes)", "TestDslogs", "9.log"],
      ["TestFlaky", 9, false, "fail: stress_test.go:45: one(N) failed to reach agreement", "TestFlaky", "9.log"],
      ["TestPanicky", 9, false, "fail: panic: runtime error: index out of range [N] with length N", "TestPanicky", "9.log"],
    ]);
  });

  it("a data race is its test's failure, named by its two top frames, whatever the access kinds and order", () => {
    const p = parse(sample("race-v.txt"));
    const [race] = p.tests();
    expect(race?.name).toBe("TestRace");
    expect(race?.ok).toBe(false);
    expect(race?.failure?.text).toBe("DATA RACE: stressmod.TestRace (stress_test.go:89) vs stressmod.TestRace.func1 (stress_test.go:86)");
    // The same race seen the other way round (a read now, the goroutines swapped) has the same name.
    const swapped = sample("race-v.txt")
      .replace(/^Write at/m, "Read at")
      .replace("Previous write at", "Previous read at");
    expect(parse(swapped).tests()[0]?.failure?.text).toBe(race?.failure?.text);
  });

  it("without -v the whole iteration is one result, its signature from the output's first failure line", () => {
    const plain = parse(sample("plain-iter3.txt"));
    expect(plain.sawRun).toBe(false);
    const r = iterationResults(plain, outcome(), ctx(false));
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]?.test).toBe("go test");
    expect(r.runs[0]?.signature).toBe("fail: stress_test.go:45: one(N) failed to reach agreement");
    expect(r.runs[0]?.goTest).toBe("TestFlaky");
    const race = iterationResults(parse(sample("race-plain.txt")), outcome(), ctx(false));
    expect(race.runs[0]?.signature).toMatch(/^fail: DATA RACE: stressmod\.TestRace \(stress_test\.go:89\) vs stressmod\.TestRace\.func1/);
  });

  it("without -v a race's re-run test is the one Go failed for it, not an earlier failing test", () => {
    // TestFlaky fails first (a log line), then TestRace's race report and `--- FAIL: TestRace`.
    const p = parse(sample("race-after-fail-plain.txt"));
    expect(p.firstFailedTest).toBe("TestFlaky");
    const r = iterationResults(p, outcome(), ctx(false));
    expect(r.runs[0]?.signature).toMatch(/^fail: DATA RACE: stressmod\.TestRace /);
    expect(r.runs[0]?.goTest).toBe("TestRace");
    // A race no `--- FAIL` claims (the output ends): the whole command, not the earlier failing test.
    const cut = sample("race-after-fail-plain.txt").split("--- FAIL: TestRace")[0] ?? "";
    expect(iterationResults(parse(cut), outcome(), ctx(false)).runs[0]?.goTest).toBeNull();
    // Killed by --timeout after a test failed: that test did not hang, so the whole command is re-run.
    const hung = iterationResults(parse(sample("plain-iter3.txt")), outcome({ exitCode: null, signal: "SIGKILL", timedOut: true }), ctx(false));
    expect([hung.runs[0]?.kind, hung.runs[0]?.goTest]).toEqual(["timeout", null]);
  });

  it("Go's own -timeout panic is a timeout of the test that was running", () => {
    const p = parse(sample("go-timeout.txt"));
    const r = iterationResults(p, outcome({ exitCode: 2 }), ctx(true));
    expect(r.runs.map((x) => [x.test, x.ok, x.kind])).toEqual([
      ["TestFlaky", true, null],
      ["TestHang", false, "timeout"],
    ]);
    expect(r.runs[1]?.signature).toBe("timeout: panic: test timed out after N");
  });

  it("a build failure, which no test owns, is one result for the command, from the compiler's line", () => {
    const r = iterationResults(parse(sample("build-failed.txt")), outcome({ exitCode: 1 }), ctx(true));
    expect(r.runs.map((x) => [x.test, x.signature])).toEqual([["go test", "fail: broken.go:2:28: undefined: undefinedThing"]]);
  });

  it("a test still running when --timeout killed the iteration is a timeout; finished tests keep their results", () => {
    const text = "=== RUN   TestA\n--- PASS: TestA (0.50s)\n=== RUN   TestB\n    b_test.go:3: waiting for leader\n";
    const r = iterationResults(parse(text), outcome({ exitCode: null, signal: "SIGKILL", timedOut: true }), ctx(true));
    expect(r.runs.map((x) => [x.test, x.ok, x.kind, x.wallMs])).toEqual([
      ["TestA", true, null, 500],
      ["TestB", false, "timeout", 0],
    ]);
  });

  it("reads Go 1.20+ output: === NAME lines, subtests, and the tests named by a -timeout panic", () => {
    // Shapes from Go 1.21's testing package (=== NAME for interleaved output, running tests: list).
    const text = [
      "=== RUN   TestOuter",
      "=== RUN   TestOuter/case_1",
      "=== PAUSE TestOuter/case_1",
      "=== RUN   TestSlow",
      "=== NAME  TestOuter",
      "    outer_test.go:12: first failure of the outer test",
      "    --- FAIL: TestOuter/case_1 (0.00s)",
      "--- FAIL: TestOuter (0.01s)",
      "panic: test timed out after 30s",
      "running tests:",
      "\tTestSlow (30s)",
      "",
      "goroutine 1 [running]:",
    ].join("\n");
    const p = parse(text);
    expect(p.tests().map((t) => [t.name, t.ok, t.failure?.text ?? null])).toEqual([
      ["TestOuter", false, "outer_test.go:12: first failure of the outer test"],
      ["TestSlow", null, "panic: test timed out after 30s"],
    ]);
    const r = iterationResults(p, outcome({ exitCode: 2 }), ctx(true));
    expect(r.runs.map((x) => [x.test, x.kind])).toEqual([
      ["TestOuter", "fail"],
      ["TestSlow", "timeout"],
    ]);
  });

  it("without -v, Go 1.20+'s -timeout names its running tests: the result says them, the re-run selects the one", () => {
    const text = [
      "panic: test timed out after 2s",
      "running tests:",
      "\tTestSlow/case_3 (2s)",
      "",
      "goroutine 17 [running]:",
      "testing.(*M).startAlarm.func1()",
      "\t/usr/lib/go/src/testing/testing.go:2241 +0x3b9",
      "exit status 2",
      "FAIL\tm\t2.01s",
    ].join("\n");
    const p = parse(text);
    expect(p.timedOutTests()).toEqual(["TestSlow"]);
    expect(p.failingTest()).toBe("TestSlow");
    const r = iterationResults(p, outcome({ exitCode: 2 }), ctx(false));
    expect([r.runs[0]?.signature, r.runs[0]?.goTest]).toEqual(["timeout: panic: test timed out after N (running: TestSlow)", "TestSlow"]);
  });

  it("before Go 1.20 the running test is read from the goroutine dump: the Test frame above testing.tRunner", () => {
    // The same Go 1.19 output without -v: no === RUN or --- PASS lines.
    const plain = sample("go-timeout.txt")
      .split("\n")
      .filter((l) => !/^(===|---) /.test(l))
      .join("\n");
    const p = parse(plain);
    expect(p.timedOutTests()).toEqual(["TestHang"]);
    const r = iterationResults(p, outcome({ exitCode: 2 }), ctx(false));
    expect([r.runs[0]?.message, r.runs[0]?.goTest]).toEqual(["panic: test timed out after 2s (running: TestHang)", "TestHang"]);
  });

  it("with -v a paused parallel test that -timeout does not name is not its timeout", () => {
    const text = [
      "=== RUN   TestWait",
      "=== PAUSE TestWait",
      "=== RUN   TestStuck",
      "panic: test timed out after 2s",
      "running tests:",
      "\tTestStuck (2s)",
      "",
      "goroutine 1 [chan receive]:",
      "exit status 2",
    ].join("\n");
    const r = iterationResults(parse(text), outcome({ exitCode: 2 }), ctx(true));
    expect(r.runs.map((x) => [x.test, x.kind, x.message])).toEqual([
      ["TestWait", "fail", "no result: the test binary ended while it ran (exit status 2)"],
      ["TestStuck", "timeout", "panic: test timed out after 2s"],
    ]);
  });

  it("a passing iteration has passing results only; a skipped test is not counted", () => {
    const text = "=== RUN   TestA\n--- PASS: TestA (1.25s)\n=== RUN   TestB\n--- SKIP: TestB (0.00s)\nPASS\nok  \tm\t1.3s\n";
    const r = iterationResults(parse(text), outcome({ exitCode: 0 }), ctx(true));
    expect(r.ok).toBe(true);
    expect(r.runs.map((x) => [x.test, x.ok, x.wallMs])).toEqual([["TestA", true, 1250]]);
  });

  it("any other command: the first line that says it failed, else the exit status", () => {
    const mocha = "  3 passing\n  1 failing\n\n  1) adds:\n     AssertionError [ERR_ASSERTION]: 3 == 4\n";
    const r = iterationResults(parse(mocha), outcome({ exitCode: 1 }), ctx(false));
    expect(r.runs[0]?.message).toBe("1 failing");
    const quiet = iterationResults(parse("nothing to see\n"), outcome({ exitCode: 3 }), ctx(false));
    expect(quiet.runs[0]?.signature).toBe("fail: exit status N");
    const killed = iterationResults(parse(""), outcome({ exitCode: null, signal: "SIGSEGV" }), ctx(false));
    expect([killed.runs[0]?.kind, killed.runs[0]?.message]).toEqual(["crash", "killed by SIGSEGV"]);
  });
});

describe("re-run commands", () => {
  it("always carry -count=1 for go test, also for a timeout no single test owns", () => {
    const cmd = ["go", "test", "-run", "Race|Hang", "-race"];
    expect(rerunCommand(cmd, "TestRace", 3, {})).toBe("RAFTLAB_ITER=3 go test -run '^TestRace$' -count=1 -race");
    expect(rerunCommand(cmd, null, 2, {})).toBe("RAFTLAB_ITER=2 go test -count=1 -run 'Race|Hang' -race");
    expect(rerunCommand(["go", "test", "-count", "5", "-v"], "go test -count 5 -v", 2, {})).toBe("RAFTLAB_ITER=2 go test -count=1 -v");
    expect(rerunCommand(["npm", "test"], null, 4, { GOMAXPROCS: "2" })).toBe("RAFTLAB_ITER=4 GOMAXPROCS=2 npm test");
  });
});

describe("signatures", () => {
  it("keep the file:line of a test log line and normalise numbers, addresses, goroutine ids and durations", () => {
    expect(normaliseFailureLine("config.go:601: one(1393) failed to reach agreement")).toBe("config.go:601: one(N) failed to reach agreement");
    expect(normaliseFailureLine("test_test.go:1145: Log size too large")).toBe("test_test.go:1145: Log size too large");
    expect(normaliseFailureLine("panic: runtime error: index out of range [5] with length 5 [recovered]")).toBe(
      "panic: runtime error: index out of range [N] with length N",
    );
    expect(normaliseFailureLine("panic: sync: negative WaitGroup counter in goroutine 1234 at 0xc000123abc")).toBe(
      "panic: sync: negative WaitGroup counter in goroutine N at N",
    );
    expect(normaliseFailureLine("panic: test timed out after 10m0s")).toBe("panic: test timed out after N");
    // TestRPCBytes3B agrees on randstring(5000): the 5,000 random characters are one token, masked.
    const token = Buffer.from(Array.from({ length: 7500 }, (_, i) => (i * 193 + 71) % 256))
      .toString("base64url")
      .slice(0, 5000);
    expect(stressSignature("fail", `config.go:594: one(${token}) failed to reach agreement`)).toBe(
      stressSignature("fail", "config.go:594: one(101) failed to reach agreement"),
    );
    expect(normaliseFailureLine("x.go:3: key a-12s-Qz81_k9Lm2-x7Pq0 lost")).toBe("x.go:3: key N lost");
    expect(stressSignature("fail", "fatal error: concurrent map writes")).toBe("fail: fatal error: concurrent map writes");
  });

  it("name a race by its sorted places, with the import path cut", () => {
    const a = { func: "6.5840/raft.(*Raft).ticker", file: "/home/s/raft/raft.go", line: 410 };
    const b = { func: "6.5840/raft.(*Raft).AppendEntries", file: "/home/s/raft/raft.go", line: 233 };
    expect(raceSignature([a, b])).toBe("DATA RACE: raft.(*Raft).AppendEntries (raft.go:233) vs raft.(*Raft).ticker (raft.go:410)");
    expect(raceSignature([b, a])).toBe(raceSignature([a, b]));
    expect(raceSignature([])).toBe("DATA RACE");
  });
});

describe("bounded output", () => {
  it("keeps the last bytes, counts the cut, and starts the kept text at a whole line", () => {
    const t = new TailBuffer(10);
    t.push(Buffer.from("line one\nline two\n"));
    t.push(Buffer.from("end\n"));
    expect(t.total).toBe(22);
    const { text, dropped } = t.text();
    expect(text).toBe("end\n");
    expect(dropped).toBe(18);
    const whole = new TailBuffer(100);
    whole.push(Buffer.from("a\nb\n"));
    expect(whole.text()).toEqual({ text: "a\nb\n", dropped: 0 });
  });

  it("for go test -v output (--split-tests) starts the kept text at a test's === RUN, so each kept test is whole", () => {
    const out = [
      "=== RUN   TestA",
      "noise ".repeat(20),
      "--- PASS: TestA (0.10s)",
      "=== RUN   TestB",
      "=== RUN   TestB/sub",
      "    b_test.go:3: failed",
      "    --- FAIL: TestB/sub (0.00s)",
      "--- FAIL: TestB (0.20s)",
      "FAIL",
    ].join("\n");
    const cap = out.length - out.indexOf("--- PASS: TestA") + 5; // the cut falls inside TestA's noise
    const t = new TailBuffer(cap);
    t.push(Buffer.from(out));
    expect(t.text().text.startsWith("noise")).toBe(false); // a whole line, but mid-section
    expect(t.text().text.split("\n")[0]).toBe("--- PASS: TestA (0.10s)");
    const whole = t.text(true);
    expect(whole.text).toBe(out.slice(out.indexOf("=== RUN   TestB")));
    expect(whole.dropped).toBe(out.indexOf("=== RUN   TestB"));
    // A single test longer than the cap keeps its tail from a whole line.
    const one = new TailBuffer(30);
    one.push(Buffer.from(`=== RUN   TestHuge\n${"x\n".repeat(100)}--- FAIL: TestHuge (1.00s)\n`));
    expect(one.text(true).text).toBe("x\n--- FAIL: TestHuge (1.00s)\n");
  });
});
