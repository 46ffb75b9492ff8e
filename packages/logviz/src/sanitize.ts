// Log text is untrusted: a Raft under test can print anything, including escape sequences that would
// repaint the screen, set the window title or write the clipboard (OSC 52). Every string that reaches
// the terminal passes through escapeControls first, so such bytes are shown, never interpreted.

/** Longest line kept, in characters; longer lines are cut and marked (bounded memory, bounded render work). */
export const MAX_LINE_CHARS = 64 * 1024;

// C0 controls except tab, DEL, C1 controls, and the Unicode bidi overrides and isolates (they reorder
// what the terminal shows, so a log could disguise its own text), plus line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code <= 0xff) return "\\x" + code.toString(16).padStart(2, "0");
  return "\\u" + code.toString(16).padStart(4, "0");
}

// SGR ("Select Graphic Rendition", ESC [ params m) sequences only set colours and styles. Test
// runners emit them even into pipes (`pnpm test | logviz`); escaped they bury the text in noise, and
// logviz draws its own colours, so they are dropped. Every other escape sequence is shown escaped.
// eslint-disable-next-line no-control-regex
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
  out = out.replace(UNSAFE, escapeOne);
  return out;
}

const PLAIN = /^[\x20-\x7e]*$/;
export function isPlainAscii(s: string): boolean {
  return PLAIN.test(s);
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

// Terminal cell width. East Asian wide and emoji ranges count 2, combining marks 0; everything else 1.
// This is a deliberately small table: it keeps columns aligned for the text logs actually contain.
function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** Display width of an escaped (control-free) string without ANSI codes. */
export function displayWidth(s: string): number {
  if (isPlainAscii(s)) return s.length;
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** Cuts an escaped string to at most `width` cells, marking the cut with an ellipsis. */
export function fitWidth(s: string, width: number): string {
  if (width <= 0) return "";
  if (isPlainAscii(s)) {
    if (s.length <= width) return s;
    return width === 1 ? "…" : s.slice(0, width - 1) + "…";
  }
  if (displayWidth(s) <= width) return s;
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + "…";
}

/** Cuts or pads an escaped string to exactly `width` cells. */
export function padWidth(s: string, width: number): string {
  if (width <= 0) return "";
  if (isPlainAscii(s)) {
    if (s.length === width) return s;
    if (s.length < width) return s + " ".repeat(width - s.length);
    return width === 1 ? "…" : s.slice(0, width - 1) + "…";
  }
  const fitted = fitWidth(s, width);
  const w = displayWidth(fitted);
  return w >= width ? fitted : fitted + " ".repeat(width - w);
}
