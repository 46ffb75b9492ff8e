// The shared terminal module (@raftlab/raft/terminal): the colour rule of every CLI (no-color.org),
// widths, exit codes and the replay command.
import { describe, expect, it } from "vitest";
import { colorEnabled, commanderErrorLine, displayWidth, EXIT, makeStyle, padEndVisible, replayCommand, signalExitCode, visibleWidth, wrapHelpText } from "@raftlab/raft/terminal";

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("colorEnabled", () => {
  it("follows the TTY when no variable is set", () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
  it("NO_COLOR set and non-empty disables colour, even on a TTY and against FORCE_COLOR", () => {
    expect(colorEnabled(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "0" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });
  it("an empty NO_COLOR counts as unset", () => {
    expect(colorEnabled(tty, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(pipe, { NO_COLOR: "" })).toBe(false);
    expect(colorEnabled(pipe, { NO_COLOR: "", FORCE_COLOR: "1" })).toBe(true);
  });
  it("FORCE_COLOR enables colour off a TTY (and on TERM=dumb); 0 or false disables it", () => {
    expect(colorEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: "" })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: "1", TERM: "dumb" })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(tty, { FORCE_COLOR: "false" })).toBe(false);
  });
  it("TERM=dumb disables colour on a TTY", () => {
    expect(colorEnabled(tty, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled(tty, { TERM: "xterm-256color" })).toBe(true);
  });
});

describe("makeStyle", () => {
  it("paints only when enabled, with the SGR codes the reports always used", () => {
    expect(makeStyle(false).red("x")).toBe("x");
    expect(makeStyle(true).red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(makeStyle(true).dim("x")).toBe("\u001b[2mx\u001b[22m");
    expect(makeStyle(true).bold("x")).toBe("\u001b[1mx\u001b[22m");
  });
});

describe("widths", () => {
  it("counts display cells, not code units, and ignores colour codes", () => {
    expect(visibleWidth(makeStyle(true).red("abc"))).toBe(3);
    expect(visibleWidth("日本")).toBe(4);
    expect(padEndVisible("日本", 6)).toBe("日本  ");
    expect(padEndVisible(makeStyle(true).green("ab"), 4)).toBe("\u001b[32mab\u001b[39m  ");
  });
});

describe("the narrow fast path of displayWidth agrees with string-width", () => {
  it("box drawing, the ellipsis and printable ASCII count as string-width counts them", async () => {
    const { default: stringWidth } = await import("string-width");
    const chars = ["\u2026"];
    for (let c = 0x2500; c <= 0x257f; c++) chars.push(String.fromCharCode(c));
    for (let c = 0x20; c < 0x7f; c++) chars.push(String.fromCharCode(c));
    for (const ch of chars) expect(displayWidth(ch), `U+${ch.charCodeAt(0).toString(16)}`).toBe(stringWidth(ch));
    const row = "   101.1 T1   VOTE │C Candidate@T1: -> S1 Reque…│                                   │";
    expect(displayWidth(row)).toBe(stringWidth(row));
  });
});

describe("exit codes", () => {
  it("are the shell's: 128 + the signal's number", () => {
    expect(EXIT).toMatchObject({ OK: 0, FAIL: 1, USAGE: 2, INTERRUPTED: 130 });
    expect(signalExitCode("SIGHUP")).toBe(129);
    expect(signalExitCode("SIGINT")).toBe(130);
    expect(signalExitCode("SIGTERM")).toBe(143);
  });
});

describe("replayCommand", () => {
  it("carries --impl, --timeout and --strict when given, and quotes for the shell", () => {
    expect(replayCommand({ test: "TestBackup3B", seed: 7, impl: null })).toBe("raftlab run TestBackup3B --seed 7 --trace | logviz");
    expect(replayCommand({ test: "TestBackup3B", seed: 7, impl: "./my raft.js", strict: true, timeoutSec: 30 })).toBe(
      "raftlab run TestBackup3B --seed 7 --impl './my raft.js' --timeout 30 --strict --trace | logviz",
    );
    expect(replayCommand({ test: "Conformance", seed: 3, impl: null })).toBe("raftlab conform --seed 3");
  });
});

describe("a Style's paints take one string", () => {
  it("can be passed to Array.map (chalk itself would join the index and the array in)", () => {
    expect(["a", "b"].map(makeStyle(false).red)).toEqual(["a", "b"]);
    expect(["a"].map(makeStyle(true).red)).toEqual(["\u001b[31ma\u001b[39m"]);
  });
});

describe("help text wrapping (issue 18)", () => {
  it("wraps prose, never cuts an example mid-command, and moves an example's comment under it", () => {
    const text = [
      "Runs the tests many times over many seeds in parallel worker threads, with live progress and a summary.",
      "Examples:",
      "  raftlab run Figure8Unreliable --trace --pace 4 | logviz      (a live demo at 4x real time)",
      "  VERBOSE=1 raftlab stress -n 100 --fail-fast -- go test -run TestFigure8Unreliable3CWithALongName",
      "  raftlab run 3A",
      "Keys",
      "  /                   search what the rows show: topic, peer (S<n>) and text, regex, lower case = any case",
    ].join("\n");
    const out = wrapHelpText(text, 80).split("\n");
    expect(out).toEqual([
      "Runs the tests many times over many seeds in parallel worker threads, with live",
      "progress and a summary.",
      "Examples:",
      "  raftlab run Figure8Unreliable --trace --pace 4 | logviz",
      "      (a live demo at 4x real time)",
      // Longer than 80 alone and no comment to move: kept whole, a long line beats a command that won't paste.
      "  VERBOSE=1 raftlab stress -n 100 --fail-fast -- go test -run TestFigure8Unreliable3CWithALongName",
      "  raftlab run 3A",
      "Keys",
      "  /                   search what the rows show: topic, peer (S<n>) and text,",
      "                      regex, lower case = any case",
    ]);
    // Text that fits is unchanged.
    expect(wrapHelpText("a\n  raftlab run 3A   (short)", 80)).toBe("a\n  raftlab run 3A   (short)");
  });

  it("commander's error and its suggestion are one line", () => {
    expect(commanderErrorLine("error: unknown option '--iteration'\n(Did you mean --iterations?)\n")).toBe("unknown option '--iteration'; did you mean --iterations?");
    expect(commanderErrorLine("error: unknown command 'bach'\n(Did you mean batch?)")).toBe("unknown command 'bach'; did you mean batch?");
    expect(commanderErrorLine("error: missing required argument 'dir'\n")).toBe("missing required argument 'dir'");
  });
});
