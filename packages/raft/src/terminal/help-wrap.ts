// Help text wrapped to a width without cutting an example mid-command. Commander wraps a command's
// description at whitespace, line by line, whatever the line is: an 84-column example became a command
// on one line and its last argument alone on the next, which does not paste. Off a terminal help is
// 80 columns wide, so every example longer than that was cut. The rules here:
//   - prose (a line that is not indented) wraps at whitespace, as commander does;
//   - an example (an indented line under an "Examples" heading) is never broken: a trailing comment
//     ("   (a live demo ...)") moves to the next line, indented under the command, and wraps there;
//     a command longer than the width alone stays whole (a long line beats a command that won't paste);
//   - any other indented line (a key table: "  j/k   move one line") wraps with a hanging indent at the
//     column its description starts.

import { displayWidth } from "./width.js";

const EXAMPLES_HEADING = /^\s*Examples?:?\s*$/i;
/** An example's trailing comment: two or more spaces, then "(...)" to the end of the line. */
const TRAILING_COMMENT = /^(.*?\S)\s{2,}(\(.*\))\s*$/;

/** Wraps `text` (lines separated by "\n") to `width` display columns by the rules above. */
export function wrapHelpText(text: string, width: number): string {
  // Too narrow to wrap sensibly (commander's own floor): leave the text as written.
  if (width < 40) return text;
  const out: string[] = [];
  let inExamples = false;
  for (const line of text.split(/\r?\n/)) {
    const indent = /^\s*/.exec(line)?.[0].length ?? 0;
    if (EXAMPLES_HEADING.test(line)) {
      inExamples = true;
      out.push(...wrapWords(line, width, 0));
    } else if (line.trim() === "" || indent === 0) {
      inExamples = false;
      out.push(...wrapWords(line, width, 0));
    } else if (inExamples) {
      out.push(...wrapExample(line, width, indent));
    } else {
      out.push(...wrapWords(line, width, hangingIndent(line, indent)));
    }
  }
  return out.join("\n");
}

function wrapExample(line: string, width: number, indent: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const m = TRAILING_COMMENT.exec(line);
  if (m === null) return [line];
  const [, command = line, comment = ""] = m;
  const commentIndent = indent + 4;
  return [command, ...wrapWords(" ".repeat(commentIndent) + comment, width, commentIndent)];
}

/** Where a table row's description starts (after the term and two spaces), else the indent plus 2. */
function hangingIndent(line: string, indent: number): number {
  const m = /^(\s*\S.*?\s{2,})\S/.exec(line);
  const at = m?.[1] !== undefined ? displayWidth(m[1]) : indent + 2;
  return at < 40 ? at : indent + 2;
}

/** Word-wraps one line; continuation lines start with `hang` spaces. A word wider than the width stays whole. */
function wrapWords(line: string, width: number, hang: number): string[] {
  if (displayWidth(line) <= width) return [line.trimEnd()];
  const lead = /^\s*/.exec(line)?.[0] ?? "";
  const words = line.slice(lead.length).split(/\s+/).filter((w) => w !== "");
  // A table row keeps the spacing between its term and its description.
  const firstGap = /^(\s*\S.*?)(\s{2,})\S/.exec(line);
  const lines: string[] = [];
  let current = lead;
  let currentWidth = displayWidth(lead);
  let atStart = true;
  for (const word of words) {
    const w = displayWidth(word);
    if (atStart) {
      current += word;
      currentWidth += w;
      atStart = false;
      continue;
    }
    let gap = " ";
    if (lines.length === 0 && firstGap?.[1] !== undefined && current === firstGap[1]) gap = firstGap[2] ?? " ";
    if (currentWidth + gap.length + w <= width) {
      current += gap + word;
      currentWidth += gap.length + w;
    } else {
      lines.push(current);
      current = " ".repeat(hang) + word;
      currentWidth = hang + w;
    }
  }
  lines.push(current);
  return lines;
}
