// Runs the golden transcripts in packages/raft/testdata/*.txt (format: test/fixtures/transcript.ts).
// After a deliberate behaviour change, regenerate the expected outputs with
//   RAFT_REWRITE=1 npx vitest run packages/raft/test/transcripts.test.ts
// and read the diff: it is the behaviour change, step by step.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatScript, parseScript, runScript, type Script } from "./fixtures/transcript.js";

const dir = fileURLToPath(new URL("../testdata/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort();
const rewrite = process.env.RAFT_REWRITE === "1";

describe("core transcripts (testdata/*.txt)", () => {
  it("finds the scripts", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(dir + file, "utf8");
      const script = parseScript(text, file);
      const actual = runScript(script, file);
      if (rewrite) {
        writeFileSync(dir + file, formatScript(script, actual));
        return;
      }
      let k = 0;
      for (const p of script.parts) {
        if (!("case" in p)) continue;
        const got = (actual[k++] as string[]).join("\n");
        expect(got, `${file}:${p.case.line}: ${p.case.input}`).toBe(p.case.expected.join("\n"));
      }
    });
  }

  it("a changed expected line fails the comparison", () => {
    // election.txt's first case ends its output with the boot's wake-up; claim a different one.
    const text = readFileSync(dir + "election.txt", "utf8").replace("\nwake 300\n", "\nwake 301\n");
    const script = parseScript(text, "election.txt");
    expect(mismatches(script, runScript(script, "election.txt"))).toEqual([`election.txt:${firstCaseLine(script)}: boot`]);
  });
});

/** The cases whose actual output differs from the expected, as `file:line: input`. */
function mismatches(script: Script, actual: readonly (readonly string[])[]): string[] {
  const bad: string[] = [];
  let k = 0;
  for (const p of script.parts) {
    if ("case" in p && (actual[k++] as string[]).join("\n") !== p.case.expected.join("\n")) bad.push(`election.txt:${p.case.line}: ${p.case.input}`);
  }
  return bad;
}

function firstCaseLine(script: Script): number {
  for (const p of script.parts) if ("case" in p) return p.case.line;
  return -1;
}
