// Reads `go test` output line by line, as it streams: which tests ran (`=== RUN`), how each ended
// (`--- PASS: TestX (1.23s)`, `--- FAIL: TestX`), and each failing test's first failure line. Works on
// any command's output: lines that are not `go test`'s are only scanned for failure lines.
//
// A failure line is, in order of strength:
//   1. a data race report (`WARNING: DATA RACE` and its two top frames), a `panic: `, a `fatal error: `
//      or Go's own `panic: test timed out after 10m0s`;
//   2. a test's log line, `    config.go:601: one(1393) failed to reach agreement` (t.Fatalf, t.Errorf,
//      and also t.Log, which Go prints the same way), or a compiler error `./raft.go:10:5: undefined: x`;
//   3. for any other command, a line that says fail, error, panic, exception or assert.
// A test's failure is its first line of the strongest kind: a panic after a t.Log line is the panic.
//
// Go's -timeout panic is the timeout of the tests that were running, not of the test printed last: Go
// 1.20+ lists them under `running tests:`; older Go only shows them in the goroutine dump, as the frame
// `pkg.TestX(...)` right above a `testing.tRunner(...)` frame. Either way, with or without -v, those
// tests own the timeout (and get a result even when no `=== RUN` named them).

import { raceSignature, type RaceAccess } from "./signature.js";

export type FailureLineKind = "fail" | "timeout";

export interface FailureLine {
  /** The line as printed (trimmed), or a race's signature text. */
  readonly text: string;
  readonly kind: FailureLineKind;
  /** 1 strongest (race, panic), 2 a log or compiler line, 3 any line that mentions failing. */
  readonly rank: 1 | 2 | 3;
}

export interface GoTestResult {
  readonly name: string;
  /** true passed, false failed, null never finished (the process ended or was stopped while it ran). */
  ok: boolean | null;
  skipped: boolean;
  /** Go's reported duration in seconds, or null if the test never finished. */
  seconds: number | null;
  /** The parser's clock (ms) at its `=== RUN`, to time a test that never finished. */
  readonly startedMs: number;
  failure: FailureLine | null;
}

/** Most tests kept per iteration; a run printing more `=== RUN` lines than this is not a test suite. */
export const MAX_TESTS = 10_000;

const RUN = /^=== (RUN|CONT|NAME|PAUSE)\s*(\S*)\s*$/;
const RESULT = /^(\s*)--- (PASS|FAIL|SKIP): (\S+) \((\d+(?:\.\d+)?)s\)/;
const PACKAGE_END = /^(?:ok|FAIL|PASS|\?)(?:\s|$)/;
const LOG_LINE = /^\s+[\w.+-]+\.go:\d+: /;
const COMPILE_LINE = /^(?:\.{0,2}\/)?[\w.+\-/]+\.go:\d+(?::\d+)?: /;
const GENERIC_FAILURE = /\b(?:fail(?:s|ed|ure|ing)?|errors?|panic(?:ked)?|exception|assert(?:ion)?)\b/i;
const RACE_ACCESS = /^(?:Previous )?(?:[Aa]tomic )?(read|write)\b.* at 0x[0-9a-f]+ by (?:goroutine \d+|main goroutine):$/i;
const RACE_FRAME_FUNC = /^ {2}(\S.*)\(.*\)$/;
const RACE_FRAME_FILE = /^ {6}(\S+\.go):(\d+)/;
const TIMEOUT_PANIC = "panic: test timed out after ";
/** `\tTestX/sub (10m0s)` under Go 1.20+'s `running tests:`. */
const RUNNING_TEST = /^\t(\S+) \(.*\)$/;
/** A goroutine dump's function frame, `example.com/m.TestX(0xc000007860?)` or `m.TestX.func1()`. */
const FRAME_FUNC = /^(\S+)\(.*\)$/;
/** The test function in a frame's function name: `Test...` right after the package's `.`. */
const TEST_FUNC = /^(?:.*\/)?[^/.]+\.(Test\w*)(?:\.|$)/;
/** Most tests a timeout names; more than this are not read (the dump is not bounded by Go). */
const MAX_TIMEOUT_TESTS = 100;

export class GoTestParser {
  private readonly byName = new Map<string, GoTestResult>();
  private current: GoTestResult | null = null;
  private first: FailureLine | null = null;
  /** The test that produced `first`, when known. */
  private firstOwner: GoTestResult | null = null;
  private race: { accesses: RaceAccess[]; pendingFunc: string | null; owner: GoTestResult | null } | null = null;
  /** Race reports printed outside a known test's `=== RUN` section (no -v): the next `--- FAIL` owns them. */
  private unownedRaces: FailureLine[] = [];
  /** After Go's -timeout panic: the running tests it names, read from its list or its goroutine dump. */
  private timeout: { line: FailureLine; listed: string[]; inList: boolean; fromStack: string[]; lastFunc: string | null; done: boolean } | null = null;
  /** A `=== RUN` line was seen: the output is `go test -v`'s. */
  sawRun = false;
  /** The first top-level test printed as `--- FAIL`, for re-running when the output has no `=== RUN`. */
  firstFailedTest: string | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  line(line: string): void {
    if (this.race !== null) {
      this.raceLine(line);
      return;
    }
    if (this.timeout !== null && !this.timeout.done && this.timeoutLine(line)) return;
    const run = RUN.exec(line);
    if (run !== null) {
      this.sawRun = true;
      const name = topLevel(run[2] ?? "");
      this.current = name === "" || run[1] === "PAUSE" ? null : this.test(name);
      return;
    }
    const result = RESULT.exec(line);
    if (result !== null) {
      if ((result[1] ?? "") !== "" || (result[3] ?? "").includes("/")) return; // a subtest's line
      const t = this.test(result[3] ?? "");
      if (t === null) return;
      t.ok = result[2] !== "FAIL";
      t.skipped = result[2] === "SKIP";
      t.seconds = Number(result[4]);
      // Go fails the test a race happened under (`race detected during execution of test`) right after
      // the race report; without -v, this is where the race learns its test.
      if (result[2] === "FAIL" && this.unownedRaces.length > 0) {
        for (const f of this.unownedRaces) this.own(f, t);
        this.unownedRaces = [];
      }
      // Without -v, a failing test's log lines come right after its `--- FAIL` line.
      this.current = result[2] === "FAIL" ? t : null;
      if (result[2] === "FAIL") this.firstFailedTest ??= t.name;
      return;
    }
    if (PACKAGE_END.test(line)) {
      this.current = null;
      return;
    }
    if (line === "WARNING: DATA RACE") {
      // With -v the race is inside the `=== RUN` section of its test; without -v, `current` is only the
      // test whose `--- FAIL` came last, not the one running now.
      this.race = { accesses: [], pendingFunc: null, owner: this.sawRun ? this.current : null };
      return;
    }
    if (line.startsWith(TIMEOUT_PANIC) && this.timeout === null) {
      // Go's own -timeout: the alarm goroutine panics, not the test printed last. The tests it names
      // below (timeoutLine) are the ones that timed out.
      const f: FailureLine = { text: line.trim(), kind: "timeout", rank: 1 };
      this.failureLine(f, null);
      this.timeout = { line: f, listed: [], inList: false, fromStack: [], lastFunc: null, done: false };
      this.current = null;
      return;
    }
    if (line.startsWith("panic: ") || line.startsWith("fatal error: ")) {
      this.failureLine({ text: line.trim(), kind: "fail", rank: 1 }, this.current);
      return;
    }
    if ((this.current !== null && LOG_LINE.test(line)) || COMPILE_LINE.test(line)) {
      this.failureLine({ text: line.trim(), kind: "fail", rank: 2 }, COMPILE_LINE.test(line) ? null : this.current);
      return;
    }
    if (this.first === null && GENERIC_FAILURE.test(line)) this.failureLine({ text: line.trim(), kind: "fail", rank: 3 }, null);
  }

  /** Tests in the order they started. */
  tests(): GoTestResult[] {
    return [...this.byName.values()];
  }

  /** The first failure line of the whole output (strongest kind first). */
  firstFailure(): FailureLine | null {
    this.flushRace();
    return this.first;
  }

  /**
   * The test that produced the first failure line: its owner (the test whose section or `--- FAIL` it
   * was in); for a line no test owns, the first test that failed, except for a race or a timeout, which
   * are not that test's doing (null: re-run the whole command).
   */
  failingTest(): string | null {
    const first = this.firstFailure();
    if (first === null) return this.firstFailedTest;
    if (this.firstOwner !== null) return this.firstOwner.name;
    if (first.kind === "timeout" || first.text.startsWith("DATA RACE")) return null;
    return this.firstFailedTest;
  }

  /** Ends a race report cut off by the end of the output, and gives a -timeout to its tests. */
  end(): void {
    this.flushRace();
    this.flushTimeout();
  }

  /** The tests Go's -timeout panic named as running (top-level names), or [] when there was none. */
  timedOutTests(): string[] {
    const t = this.timeout;
    if (t === null) return [];
    const named = t.listed.length > 0 ? t.listed : t.fromStack;
    return [...new Set(named.map(topLevel))];
  }

  /** A line of the -timeout panic's list or goroutine dump; false when the dump has ended. */
  private timeoutLine(line: string): boolean {
    const t = this.timeout;
    if (t === null) return false;
    if (line === "running tests:") {
      t.inList = true;
      return true;
    }
    if (t.inList) {
      const m = RUNNING_TEST.exec(line);
      if (m !== null) {
        if (t.listed.length < MAX_TIMEOUT_TESTS) t.listed.push(m[1] ?? "");
        return true;
      }
      t.inList = false;
    }
    if (line.startsWith("testing.tRunner(")) {
      const test = t.lastFunc === null ? null : TEST_FUNC.exec(t.lastFunc);
      if (test !== null && t.fromStack.length < MAX_TIMEOUT_TESTS) t.fromStack.push(test[1] ?? "");
      t.lastFunc = null;
      return true;
    }
    const frame = FRAME_FUNC.exec(line);
    if (frame !== null && !line.startsWith("\t")) {
      t.lastFunc = frame[1] ?? null;
      return true;
    }
    if (line === "" || line.startsWith("\t") || line.startsWith("goroutine ") || line.startsWith("created by ") || line.startsWith("...")) return true;
    // `exit status 2`, `FAIL\tpkg 2.01s`: the dump is over.
    t.done = true;
    return false;
  }

  /** Gives the -timeout to the tests it named (else, as Go before 1.20 with -v, to every unfinished test). */
  private flushTimeout(): void {
    const t = this.timeout;
    if (t === null) return;
    const f = t.line;
    const named = this.timedOutTests();
    const owners = named.length > 0 ? named.map((n) => this.test(n)) : [...this.byName.values()].filter((x) => x.ok === null);
    for (const o of owners) if (o !== null && o.ok !== true && (o.failure === null || o.failure.rank > 1 || o.failure === f)) o.failure = f;
    if (named.length === 1 && owners[0] !== null && owners[0] !== undefined) this.firstOwner = this.first === f ? owners[0] : this.firstOwner;
  }

  private test(name: string): GoTestResult | null {
    let t = this.byName.get(name);
    if (t === undefined) {
      if (this.byName.size >= MAX_TESTS || name === "") return null;
      t = { name, ok: null, skipped: false, seconds: null, startedMs: this.now(), failure: null };
      this.byName.set(name, t);
    }
    return t;
  }

  private failureLine(f: FailureLine, owner: GoTestResult | null): void {
    if (this.first === null || f.rank < this.first.rank) {
      this.first = f;
      this.firstOwner = null;
    }
    this.own(f, owner);
  }

  /** Records that `owner` produced failure line `f`. */
  private own(f: FailureLine, owner: GoTestResult | null): void {
    if (owner === null) return;
    if (this.first === f) this.firstOwner = owner;
    if (owner.failure === null || f.rank < owner.failure.rank) owner.failure = f;
  }

  /** Inside a race report: collect each access's top frame until the closing `==================`. */
  private raceLine(line: string): void {
    const race = this.race;
    if (race === null) return;
    if (line.startsWith("==================")) {
      this.flushRace();
      return;
    }
    const access = RACE_ACCESS.exec(line);
    if (access !== null) {
      race.pendingFunc = "";
      return;
    }
    if (race.pendingFunc === "") {
      const f = RACE_FRAME_FUNC.exec(line);
      if (f !== null) race.pendingFunc = f[1] ?? "";
      return;
    }
    if (race.pendingFunc !== null) {
      const file = RACE_FRAME_FILE.exec(line);
      if (file !== null) race.accesses.push({ func: race.pendingFunc, file: file[1] ?? "", line: Number(file[2]) });
      race.pendingFunc = null;
    }
  }

  private flushRace(): void {
    const race = this.race;
    if (race === null) return;
    this.race = null;
    const f: FailureLine = { text: raceSignature(race.accesses), kind: "fail", rank: 1 };
    this.failureLine(f, race.owner);
    if (race.owner === null) this.unownedRaces.push(f);
  }
}

/** `TestX/sub/case` → `TestX`. */
export function topLevel(name: string): string {
  const slash = name.indexOf("/");
  return slash < 0 ? name : name.slice(0, slash);
}
