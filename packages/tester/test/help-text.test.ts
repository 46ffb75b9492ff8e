// Issue 18: every raftlab command and logviz, as a user meets them off a terminal (stdout a pipe, so
// help is 80 columns wide): help lines fit, examples are never cut mid-command, the exit codes follow
// one rule stated the same way everywhere, and a near-miss flag gets a suggestion on the one error line.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { displayWidth, EXIT_USAGE_TEXT } from "@raftlab/raft/terminal";

const raftlabBin = fileURLToPath(new URL("../bin/raftlab.js", import.meta.url));
const logvizBin = fileURLToPath(new URL("../../logviz/bin/logviz.js", import.meta.url));
const COMMANDS = ["list", "run", "batch", "triage", "merge", "stress", "conform", "init", "shrink"];

function cli(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  // Piped stdout (not a TTY) and no COLUMNS: the width a help printed into a file or a pager gets.
  const env = { ...process.env, NO_COLOR: "1" };
  delete env["COLUMNS"];
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env, input: "", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const helps = (): { name: string; text: string }[] => [
  ...COMMANDS.map((c) => ({ name: `raftlab ${c}`, text: cli(raftlabBin, [c, "--help"]).stdout })),
  { name: "logviz", text: cli(logvizBin, ["--help"]).stdout },
];

/** The lines of each "Examples" block: indented lines under the heading, up to a blank or unindented line. */
function exampleLines(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split("\n")) {
    if (/^Examples?:?$/.test(line.trim())) inside = true;
    else if (line.trim() === "" || !/^\s/.test(line)) inside = false;
    else if (inside) out.push(line);
  }
  return out;
}

describe("help text at 80 columns off a terminal (issue 18)", () => {
  it("fits 80 columns, and every example line starts a command or continues its comment (never cut mid-command)", () => {
    let examples = 0;
    for (const { name, text } of helps()) {
      expect(text, name).toContain("Usage:");
      for (const line of text.split("\n")) expect(displayWidth(line), `${name}: ${line}`).toBeLessThanOrEqual(80);
      for (const line of exampleLines(text)) {
        examples++;
        expect(line.trim(), `${name}: ${line}`).toMatch(/^(raftlab |logviz |npx |[A-Z_]+=\S* |\()/);
      }
    }
    expect(examples).toBeGreaterThan(15);
  }, 180_000);

  it("states the exit codes with the one usage rule (a missing or unreadable input file exits 2)", () => {
    for (const { name, text } of helps()) {
      const flat = text.replace(/\s+/g, " ");
      expect(flat, name).toMatch(/Exit codes: 0 /);
      expect(flat, name).toContain(EXIT_USAGE_TEXT);
    }
  }, 180_000);
});

describe("near-miss flags (issue 18)", () => {
  it("every command suggests the flag meant, on its one error line, exit 2", () => {
    const cases: { bin: string; args: string[]; prefix: string; meant: string }[] = [
      { bin: raftlabBin, args: ["batch", "--iteration", "3"], prefix: "raftlab batch", meant: "--iterations" },
      { bin: raftlabBin, args: ["stress", "--iteration", "3", "--", "true"], prefix: "raftlab stress", meant: "--iterations" },
      { bin: raftlabBin, args: ["run", "3A", "--sed", "3"], prefix: "raftlab run", meant: "--seed" },
      { bin: raftlabBin, args: ["triage", "x", "--imp", "y"], prefix: "raftlab triage", meant: "--impl" },
      { bin: raftlabBin, args: ["merge", "x", "--jsn", "y"], prefix: "raftlab merge", meant: "--json" },
      { bin: raftlabBin, args: ["conform", "--imp", "y"], prefix: "raftlab conform", meant: "--impl" },
      { bin: raftlabBin, args: ["init", "d", "--forc"], prefix: "raftlab init", meant: "--force" },
      { bin: raftlabBin, args: ["shrink", "T", "-s", "1", "--budjet", "9"], prefix: "raftlab shrink", meant: "--budget" },
      { bin: raftlabBin, args: ["bach"], prefix: "raftlab", meant: "batch" },
      { bin: logvizBin, args: ["--folow"], prefix: "logviz", meant: "--follow" },
    ];
    for (const c of cases) {
      const r = cli(c.bin, c.args);
      const what = c.args.join(" ");
      expect(r.code, what).toBe(2);
      expect(r.stderr.trimEnd().split("\n"), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(new RegExp(`^${c.prefix}: unknown (option|command) '[^']+'; did you mean ${c.meant}\\?\\n$`));
    }
  }, 180_000);
});
