// User regexes (--term-re, --role-re, search) run on every line with JavaScript's backtracking engine,
// where a nested quantifier such as `(a+)+$` takes exponential time on a line of 40 `a`s: the tool
// would hang. Such patterns are rejected with a one-line error naming the regex. (A linear-time engine,
// re2js, was the other option: it adds a dependency and is several times slower than V8's engine on the
// ordinary patterns every line goes through; the patterns it would save are the ones no one means.)

/** Why `source` can backtrack exponentially (a quantified group that holds a quantifier), or null. */
export function exponentialRisk(source: string): string | null {
  // One entry per open group: does it hold a quantifier (directly or in a nested group)?
  const stack: boolean[] = [false];
  let i = 0;
  const quantifierAt = (k: number): number => {
    // Length of a repeating quantifier at k (`*`, `+`, `{n,}`, `{n,m}` with m > 1), else 0.
    const c = source[k];
    if (c === "*" || c === "+") return 1;
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(k, k + 24));
      if (m && m[2] !== undefined && (m[3] === "" || Number(m[3]) > 1)) return m[0].length;
      if (m && m[2] === undefined && Number(m[1]) > 1) return m[0].length;
    }
    return 0;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") {
      i += 2;
    } else if (c === "[") {
      // A character class: skip to its end (escapes inside).
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "(") {
      stack.push(false);
      i++;
    } else if (c === ")") {
      const inner = stack.length > 1 ? (stack.pop() as boolean) : false;
      i++;
      const q = quantifierAt(i);
      if (q > 0 && inner) return `a repeated group holds a repeat (${source.slice(0, i + q)}…), which can take exponential time`;
      if (inner || q > 0) stack[stack.length - 1] = true;
      i += q;
      continue;
    } else {
      i++;
    }
    const q = quantifierAt(i);
    if (q > 0) {
      stack[stack.length - 1] = true;
      i += q;
    }
  }
  return null;
}
