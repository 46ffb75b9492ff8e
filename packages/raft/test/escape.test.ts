import { describe, expect, it } from "vitest";
import { escapeControls, escapeLine, hasControls } from "../src/index.js";
import { findForbidden, HOSTILE_SEQUENCES, HOSTILE_TEXT } from "./fixtures/hostile-text.js";

describe("escapeControls (shared by raft, tester, logviz)", () => {
  it.each(HOSTILE_SEQUENCES)("leaves no control of %s in the result", (_name, text) => {
    const out = escapeControls(text);
    expect(findForbidden(out)).toBeNull();
    expect(hasControls(text)).toBe(true);
    expect(hasControls(out)).toBe(false);
  });

  it("shows each control as visible text, keeping the printable rest", () => {
    expect(escapeControls("\x1b]0;t\x07")).toBe("\\x1b]0;t\\x07");
    expect(escapeControls("\u009b2J")).toBe("\\x9b2J");
    expect(escapeControls("a\u202eb")).toBe("a\\u202eb");
    expect(escapeControls("\u2066x\u2069")).toBe("\\u2066x\\u2069");
    expect(escapeControls("\u{e0041}")).toBe("\\u{e0041}");
    expect(escapeControls("a\x00b\x08c\rd\x7fe")).toBe("a\\x00b\\x08c\\x0dd\\x7fe");
  });

  it("keeps ordinary text, non-ASCII letters, emoji joiners and wide characters", () => {
    const plain = "term 3 → leader ✓ 日本語 café 👩‍💻 \\x1b stays literal";
    expect(escapeControls(plain)).toBe(plain);
    expect(hasControls(plain)).toBe(false);
  });

  it("escapes TAB and LF unless the caller allows them", () => {
    expect(escapeControls("a\tb\nc")).toBe("a\\x09b\\x0ac");
    expect(escapeControls("a\tb\nc", { tab: true })).toBe("a\tb\\x0ac");
    expect(escapeControls("a\tb\nc", { newline: true })).toBe("a\\x09b\nc");
    expect(escapeControls("a\tb\nc\x1b", { tab: true, newline: true })).toBe("a\tb\nc\\x1b");
  });

  it("handles the whole corpus at once and every single code point below U+00A0", () => {
    expect(findForbidden(escapeControls(HOSTILE_TEXT))).toBeNull();
    for (let cp = 0; cp < 0xa0; cp++) {
      expect(findForbidden(escapeControls(String.fromCharCode(cp)))).toBeNull();
    }
  });

  it("escapeLine survives a value whose toString throws", () => {
    const hostile = {
      toString(): string {
        throw new Error("no");
      },
    };
    expect(escapeLine(hostile)).toBe("[object Object]");
    expect(escapeLine(new Error("\x1b]0;x\x07"))).toBe("Error: \\x1b]0;x\\x07");
  });
});
