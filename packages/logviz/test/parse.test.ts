import { describe, expect, it } from "vitest";
import { F, Kind, RoleId, NO_PEER } from "../src/store.js";
import { LineSplitter } from "../src/lines.js";
import { escapeControls, displayWidth, fitWidth } from "../src/sanitize.js";
import { ev, SMALL_TRACE, storeOf } from "./helpers.js";

describe("JSON-lines trace (trace.ts contract)", () => {
  it("stores every field of a peer event in its column", () => {
    const s = storeOf(SMALL_TRACE);
    expect(s.length).toBe(15);
    expect(s.kind[3]).toBe(Kind.Json);
    expect(s.t[3]).toBe(3);
    expect(s.src[3]).toBe(0);
    expect(s.dst[3]).toBe(1);
    expect(s.term[3]).toBe(1);
    expect(s.role[3]).toBe(RoleId.Candidate);
    expect(s.topics.name(s.topic[3] as number)).toBe("VOTE");
    expect(s.ops.name(s.op[3] as number)).toBe("RequestVote");
    expect(s.flags[3]! & F.Send).toBeTruthy();
    expect(s.flags[4]! & F.Recv).toBeTruthy();
    expect(s.textAt(3)).toBe("S0 -> S1 RequestVote");
    expect(s.peers).toEqual([0, 1, 2]);
  });

  it("treats harness events (src -1) as full-width, with tests, failures and the peer they are about", () => {
    const s = storeOf(SMALL_TRACE);
    expect(s.flags[0]! & F.TestBegin).toBeTruthy();
    expect(s.flags[0]! & F.Full).toBeTruthy();
    expect(s.tests).toEqual(["", "SmallElection3A"]);
    expect(s.testName(5)).toBe("SmallElection3A");
    expect(s.dst[10]).toBe(2); // Crash of S2
    expect(s.term[9]).toBe(1); // a lost message counts with the term it carried
    expect(s.flags[13]! & F.Fail).toBeTruthy(); // Violation
    expect(s.flags[14]! & F.Fail).toBeTruthy(); // TestEnd ok=false
    expect(s.flags[14]! & F.TestEnd).toBeTruthy();
  });

  it("flags the first row of each new highest term (for the ] and [ jumps)", () => {
    const s = storeOf(SMALL_TRACE);
    const newTerm = [...Array(s.length).keys()].filter((i) => s.flags[i]! & F.NewTerm);
    expect(newTerm).toEqual([2, 12]);
  });

  it("keeps JSON of the wrong shape, and malformed or partial JSON, as raw rows", () => {
    const s = storeOf(['{"hello":1}', '{"t":1,"src":0', "[1,2,3]", '{"t":"x","src":0,"op":"Log"}', '{"t":1,"src":99999,"op":"Log"}'].join("\n"));
    expect(s.length).toBe(5);
    for (let i = 0; i < 5; i++) expect(s.kind[i]).toBe(Kind.Raw);
  });

  it("accepts unknown opcodes and custom topics", () => {
    const s = storeOf(ev({ t: 1, src: 3, op: "Log", topic: "HEART" as never, msg: "beat" }) + "\n" + ev({ t: 2, src: 3, op: "Frobnicate" as never, msg: "x" }));
    expect(s.topics.name(s.topic[0] as number)).toBe("HEART");
    expect(s.ops.name(s.op[1] as number)).toBe("Frobnicate");
  });
});

describe("dslogs text format", () => {
  const log = [
    "000035 TIMR S0 Election timeout, starting election",
    "008260 LEAD S1 Achieved Majority for T1 (3), converting to Leader",
    "008261 LOG1 S1 -> S0 Sending PLI: 0 PLT: 0 N: 0 LC: 0 - []",
    "008263 LOG1 S12 <- S1 Got heartbeat",
    "008300 TEST Test (3A): initial election ...",
    "1234567 HEART S3 custom topic line",
    "008400 CMIT S1 committed index 5",
  ].join("\n");

  it("reads time in 0.1 ms units, topic, peer and message", () => {
    const s = storeOf(log);
    expect(s.kind[0]).toBe(Kind.Dslog);
    expect(s.t[1]).toBe(826);
    expect(s.src[1]).toBe(1);
    expect(s.topics.name(s.topic[1] as number)).toBe("LEAD");
    expect(s.textAt(1)).toBe("Achieved Majority for T1 (3), converting to Leader");
  });

  it("reads S<a> -> S<b> as a message from a to b, with multi-digit peers", () => {
    const s = storeOf(log);
    expect(s.src[2]).toBe(1);
    expect(s.dst[2]).toBe(0);
    expect(s.flags[2]! & F.Send).toBeTruthy();
    expect(s.src[3]).toBe(12);
    expect(s.peers).toContain(12);
  });

  it("parses T<n> as the term and carries a peer's term forward", () => {
    const s = storeOf(log);
    expect(s.term[1]).toBe(1);
    expect(s.term[2]).toBe(1); // S1's last known term
    expect(s.term[0]).toBe(-1); // S0 has said nothing about its term
  });

  it("infers roles from the usual phrases", () => {
    const s = storeOf(log);
    // "starting election" without a term is printed before the peer converts: still a follower.
    expect(s.role[0]).toBe(RoleId.Follower);
    expect(s.role[1]).toBe(RoleId.Leader);
    expect(s.role[2]).toBe(RoleId.Leader); // carried forward
    // Row 4 is a test title (in a TEST line): every peer starts the new test as a follower.
    expect(s.flags[4]! & F.TestBegin).toBeTruthy();
    expect(s.role[6]).toBe(RoleId.Follower);
  });

  it("draws TEST lines full width without a peer, keeps unknown topics and long times", () => {
    const s = storeOf(log);
    expect(s.src[4]).toBe(-1);
    expect(s.flags[4]! & F.Full).toBeTruthy();
    expect(s.topics.name(s.topic[5] as number)).toBe("HEART");
    expect(s.t[5]).toBeCloseTo(123456.7);
  });
});

describe("raw lines", () => {
  it("keeps test-runner output full width and recognises test boundaries and failures", () => {
    const s = storeOf(
      [
        "=== RUN   TestInitialElection3A",
        "Test (3A): initial election ...",
        "  ... Passed --   3.0  3   56    0",
        "--- FAIL: TestReElection3A (5.01s)",
        "panic: runtime error: index out of range",
        "goroutine 1 [running]:",
        "FAIL\traft\t5.1s",
        " FAIL  packages/raft/test/x.test.ts > election",
      ].join("\n"),
    );
    expect([...Array(8).keys()].map((i) => s.kind[i])).toEqual(Array(8).fill(Kind.Raw));
    expect(s.src[0]).toBe(NO_PEER);
    expect(s.flags[0]! & F.TestBegin).toBeTruthy();
    expect(s.tests[1]).toBe("TestInitialElection3A");
    // go test -v: the tester's title after `=== RUN` names the same test, not a second one.
    expect(s.flags[1]! & F.TestBegin).toBeFalsy();
    expect(s.flags[1]! & F.Pinned).toBeTruthy();
    expect(s.tests).toEqual(["", "TestInitialElection3A"]);
    expect(s.flags[2]! & F.TestEnd).toBeTruthy();
    expect(s.flags[3]! & F.Fail).toBeTruthy();
    expect(s.flags[4]! & F.Fail).toBeTruthy();
    expect(s.flags[5]! & F.Fail).toBeFalsy();
    expect(s.flags[6]! & F.Fail).toBeTruthy();
    expect(s.flags[7]! & F.Fail).toBeTruthy();
  });
});

describe("mixed streams", () => {
  it("does not start a second test for the tester's own title line inside a JSON test", () => {
    const s = storeOf(
      [
        ev({ t: 0, src: -1, op: "TestBegin", test: "TestFigure83C" }),
        "Test (3C): Figure 8 ...",
        ev({ t: 1, src: 0, op: "Log" }),
        "  ... Passed --  32.5  5",
        ev({ t: 2, src: -1, op: "TestEnd", test: "TestFigure83C", ok: true }),
        "Test (3A): initial election ...",
      ].join("\n"),
    );
    expect(s.tests).toEqual(["", "TestFigure83C", "(3A) initial election"]);
    expect(s.testBegins).toEqual([0, 5]);
    expect(s.flags[1]! & F.Pinned).toBeTruthy();
    expect(s.testName(2)).toBe("TestFigure83C");
  });
});

describe("hostile input", () => {
  it("escapes terminal escape sequences and control characters in every format", () => {
    // (A CR would end the line: see "line splitting"; BS stands in for it here.)
    const evil = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;Zm9v\x07\b\x00\x9b";
    const s = storeOf([evil, ev({ t: 1, src: 0, op: "Log", msg: evil }), "000010 INFO S0 " + evil].join("\n"));
    for (let i = 0; i < 3; i++) {
      const text = s.textAt(i);
      expect(text).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
      expect(text).toContain("\\x1b");
    }
    expect(s.textAt(0)).toBe("\\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;Zm9v\\x07\\x08\\x00\\x9b");
  });

  it("drops colour codes (SGR) from raw lines but still escapes every other escape sequence", () => {
    const s = storeOf("\x1b[1m\x1b[32m✓\x1b[39m\x1b[22m packages/x.test.ts \x1b[2m(5 tests)\x1b[22m \x1b[2J\x1b]0;t\x07");
    expect(s.textAt(0)).toBe("✓ packages/x.test.ts (5 tests) \\x1b[2J\\x1b]0;t\\x07");
  });

  it("escapes bidi overrides and expands tabs", () => {
    expect(escapeControls("a\u202eb")).toBe("a\\u202eb");
    expect(escapeControls("a\tb")).toBe("a   b");
  });

  it("survives binary data", () => {
    const bytes = Buffer.alloc(5000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const s = storeOf(bytes.toString("latin1"));
    expect(s.length).toBeGreaterThan(0);
    for (let i = 0; i < s.length; i++) expect(s.textAt(i)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it("cuts huge lines at 64 KiB with a marker and keeps going", () => {
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l), 1024);
    sp.push(Buffer.from("x".repeat(3000) + "\nnext\n"));
    expect(lines[0]).toMatch(/^x{1024} …\[line truncated: 1976 more characters\]$/);
    expect(lines[1]).toBe("next");
    const s = storeOf("y".repeat(200_000) + "\nok\n");
    expect(s.length).toBe(2);
    expect(s.textAt(0).length).toBeLessThan(66_000);
    expect(s.textAt(1)).toBe("ok");
  });

  it("joins lines split across chunks, keeps a final partial line, strips CRLF", () => {
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l));
    sp.push(Buffer.from("ab"));
    sp.push(Buffer.from("c\r\nde"));
    expect(lines).toEqual(["abc"]);
    expect(sp.partialChars).toBe(2);
    sp.end();
    expect(lines).toEqual(["abc", "de"]);
  });

  it("measures and cuts wide characters by cells", () => {
    expect(displayWidth("日本")).toBe(4);
    expect(fitWidth("日本語テキスト", 5)).toBe("日本…");
  });
});

describe("line splitting across chunk boundaries", () => {
  it("keeps a multi-byte character split between two chunks intact", () => {
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from("héllo 日本\nnext\n", "utf8");
    for (let i = 0; i < bytes.length; i++) sp.push(bytes.subarray(i, i + 1));
    sp.end();
    expect(lines).toEqual(["héllo 日本", "next"]);
  });

  it("joins CR and LF split across chunks", () => {
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l));
    sp.push(Buffer.from("a\r"));
    sp.push(Buffer.from("\nb\n"));
    expect(lines).toEqual(["a", "b"]);
  });

  it("ends a line at a lone CR too (issue 10: a CR-only file was one row)", () => {
    const s = storeOf("000010 INFO S0 one\r000020 INFO S1 two\rthree\r");
    expect(s.length).toBe(3);
    expect([s.textAt(0), s.textAt(1), s.textAt(2)]).toEqual(["one", "two", "three"]);
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l));
    sp.push(Buffer.from("a\r\rb\r\n\r"));
    // The final CR may be half of a CRLF: held until the next byte or the end of the input.
    expect(lines).toEqual(["a", "", "b"]);
    expect(sp.partialChars).toBe(1);
    sp.end();
    expect(lines).toEqual(["a", "", "b", ""]);
  });

  it("splits any chunking of mixed line ends exactly as the whole text is split", () => {
    // Reference: the same rule written the obvious way, on the whole text at once.
    const reference = (t: string): string[] => {
      const out = t.split(/\r\n|\r|\n/);
      if (out[out.length - 1] === "") out.pop();
      return out;
    };
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    const alphabet = ["a", "b", "é", "日", "\r", "\n", "\r\n", " "];
    for (let round = 0; round < 200; round++) {
      let text = "";
      for (let i = 0, n = rand(60); i < n; i++) text += alphabet[rand(alphabet.length)];
      const bytes = Buffer.from(text, "utf8");
      const lines: string[] = [];
      const sp = new LineSplitter((l) => lines.push(l));
      for (let pos = 0; pos < bytes.length;) {
        const k = 1 + rand(7);
        sp.push(bytes.subarray(pos, pos + k));
        pos += k;
      }
      sp.end();
      expect(lines, JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it("cuts a long line arriving in many chunks, and a long line ended by CR, with a marker", () => {
    const lines: string[] = [];
    const sp = new LineSplitter((l) => lines.push(l), 8);
    for (const c of ["0123", "4567", "89ab", "cd\rnext", "\r\n"]) sp.push(Buffer.from(c));
    sp.end();
    expect(lines).toEqual(["01234567 …[line truncated: 6 more characters]", "next"]);
  });
});
