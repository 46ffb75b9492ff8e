// Text from data is untrusted: a Raft under test, a log file, a report.json or a file name can hold
// bytes a terminal obeys (ESC ] 0 sets the window title, ESC ] 52 writes the clipboard, ESC [ ? 1049 h
// switches screens, C1 U+009B is a one-byte CSI) or Unicode controls that reorder or hide what is shown
// (bidi overrides and isolates, zero-width format characters). Every raftlab package sends such text
// through escapeControls before it reaches stdout or stderr, so these characters are shown as visible
// text (`\x1b`, `\u202e`), never interpreted. This is the one shared definition of "unsafe".

/** Which otherwise-escaped whitespace the caller lets through unchanged. */
export interface EscapeOptions {
  /** Keep TAB (U+0009) as is. Default false: shown as `\x09`. */
  tab?: boolean;
  /** Keep LF (U+000A) as is, for text the caller prints as several lines. Default false: `\x0a`. */
  newline?: boolean;
}

// Escaped, whatever the options:
// - C0 controls U+0000–U+001F (incl. ESC, NUL, BS, CR) except TAB/LF when allowed, and DEL U+007F;
// - C1 controls U+0080–U+009F (U+009B is a one-byte CSI, U+009D a one-byte OSC on some terminals);
// - format characters (Unicode category Cf): bidi embeddings/overrides U+202A–U+202E, isolates
//   U+2066–U+2069, LRM/RLM U+200E/U+200F, ALM U+061C, zero-width space U+200B, word joiner, BOM,
//   soft hyphen, interlinear annotation, tag characters U+E0000–U+E007F; except ZWNJ/ZWJ
//   (U+200C/U+200D), which joins emoji and shapes several scripts and cannot reorder or hide text;
// - line and paragraph separators U+2028/U+2029 (some terminals break the line there).
// The Cf class is taken from the Unicode tables Node ships, so newly assigned format characters are
// covered without editing a list here.
/* eslint-disable no-control-regex -- matching control characters is what these are for */
const UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]|(?![\u200c\u200d])\p{Cf}/gu;
const UNSAFE_TAB = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]|(?![\u200c\u200d])\p{Cf}/gu;
const UNSAFE_NL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]|(?![\u200c\u200d])\p{Cf}/gu;
const UNSAFE_TAB_NL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]|(?![\u200c\u200d])\p{Cf}/gu;
/* eslint-enable no-control-regex */

const PLAIN = /^[\x20-\x7e]*$/;

function unsafePattern(options: EscapeOptions | undefined): RegExp {
  const tab = options?.tab === true;
  const nl = options?.newline === true;
  return tab ? (nl ? UNSAFE_TAB_NL : UNSAFE_TAB) : nl ? UNSAFE_NL : UNSAFE_ALL;
}

function showEscaped(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp <= 0xffff) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\u{" + cp.toString(16) + "}";
}

/**
 * Returns `s` with every control and invisible format character replaced by a visible escape
 * (`\x1b`, `\x9b`, `\u202e`, `\u{e0041}`). The result holds no ESC, no C0/C1 control (except TAB/LF
 * when `options` allows them), no DEL and no bidi or other format control, so printing it cannot
 * move the cursor, change the title, write the clipboard, or reorder the text around it.
 */
export function escapeControls(s: string, options?: EscapeOptions): string {
  if (PLAIN.test(s)) return s; // fast path: most text is printable ASCII
  return s.replace(unsafePattern(options), showEscaped);
}

/** True when `s` holds a character escapeControls would escape (with the same options). */
export function hasControls(s: string, options?: EscapeOptions): boolean {
  if (PLAIN.test(s)) return false;
  const re = unsafePattern(options);
  re.lastIndex = 0;
  const found = re.test(s);
  re.lastIndex = 0;
  return found;
}

/**
 * Escapes a value for one line of terminal output: strings as escapeControls, anything else via
 * String(). Handy for error messages of unknown origin (`err.message` from a Raft under test).
 */
export function escapeLine(value: unknown): string {
  if (typeof value === "string") return escapeControls(value);
  let text: string;
  try {
    text = String(value);
  } catch {
    text = Object.prototype.toString.call(value); // a hostile toString() must not crash the printer
  }
  return escapeControls(text);
}
