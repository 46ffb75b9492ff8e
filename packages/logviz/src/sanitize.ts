// Log text is untrusted: a Raft under test can print anything, including escape sequences that would
// repaint the screen, set the window title or write the clipboard (OSC 52). Every string that reaches
// the terminal passes through escapeControls first, so such bytes are shown, never interpreted.

import { escapeControls as escapeShared } from "@raftlab/raft/trace";
import { isPlainAscii } from "@raftlab/raft/terminal";

export { isPlainAscii };

/** Longest line kept, in characters; longer lines are cut and marked (bounded memory, bounded render work). */
export const MAX_LINE_CHARS = 64 * 1024;

// SGR ("Select Graphic Rendition", ESC [ params m) sequences only set colours and styles. Test
// runners emit them even into pipes (`pnpm test | logviz`); escaped they bury the text in noise, and
// logviz draws its own colours, so they are dropped. Every other escape sequence is shown escaped.
// eslint-disable-next-line no-control-regex -- an ANSI SGR sequence starts with ESC (U+001B)
const SGR = /\x1b\[[0-9;:]*m/g;

/**
 * Returns `s` with colour codes (SGR) dropped, other control characters shown as `\xNN`/`\uNNNN`,
 * and tabs expanded to spaces.
 */
export function escapeControls(s: string): string {
  // Fast path: most lines are plain printable ASCII.
  if (isPlainAscii(s)) return s;
  let out = s.indexOf("\x1b[") >= 0 ? s.replace(SGR, "") : s;
  if (out.indexOf("\t") >= 0) out = expandTabs(out);
  // The shared definition of unsafe (C0, DEL, C1, bidi and other format controls): one escaper for
  // all raftlab packages.
  return escapeShared(out);
}

function expandTabs(s: string): string {
  let out = "";
  let col = 0;
  for (const ch of s) {
    if (ch === "\t") {
      const n = 4 - (col % 4);
      out += " ".repeat(n);
      col += n;
    } else {
      out += ch;
      col++;
    }
  }
  return out;
}

// Display widths live in @raftlab/raft/terminal (width.ts, string-width); re-exported here for the modules that import them
// with the escaping.
export { displayWidth, fitWidth, padWidth, wrapWidth } from "@raftlab/raft/terminal";
