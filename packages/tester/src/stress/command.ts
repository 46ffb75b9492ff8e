// The command a stress run repeats, and the commands it prints: what it adds to a `go test` command
// (`-count=1`, and `-v` for --split-tests), and the one command that re-runs a failure.

import { basename } from "node:path";
import { shellQuote } from "@raftlab/raft/terminal";

/** Environment variables a re-run command repeats when they are set (besides RAFTLAB_ITER). */
export const RERUN_ENV = ["VERBOSE", "GOMAXPROCS", "GORACE", "GODEBUG", "GOFLAGS", "GOEXPERIMENT", "CGO_ENABLED"] as const;

export interface StressCommand {
  /** What the user typed after `--`. */
  readonly original: readonly string[];
  /** What each iteration runs. */
  readonly argv: readonly string[];
  /** `go test ...`. */
  readonly goTest: boolean;
  /** One result per Go test (`-v` output), rather than one per iteration. */
  readonly splitTests: boolean;
  /** Notes on what was added, for the summary. */
  readonly notes: readonly string[];
}

const VERBOSE_FLAG = /^--?(?:test\.)?v(?:=true)?$/;
const COUNT_FLAG = /^--?(?:test\.)?count(?:=|$)/;
const RUN_FLAG = /^--?(?:test\.)?run(?:=|$)/;

export function isGoTest(argv: readonly string[]): boolean {
  return argv.length >= 2 && basename(argv[0] ?? "") === "go" && argv[1] === "test";
}

/** The flags of a `go test` command line: everything before `-args` (the rest goes to the test binary). */
function goFlags(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("-args");
  return end < 0 ? argv : argv.slice(0, end);
}

export function prepareCommand(original: readonly string[], splitFlag: boolean): StressCommand {
  const goTest = isGoTest(original);
  const flags = goFlags(original);
  const verbose = goTest && flags.some((a) => VERBOSE_FLAG.test(a));
  const added: string[] = [];
  const notes: string[] = [];
  if (goTest && !flags.some((a) => COUNT_FLAG.test(a))) {
    added.push("-count=1");
    notes.push("added -count=1 so that go's test cache never answers for an iteration");
  }
  if (goTest && splitFlag && !verbose) {
    added.push("-v");
    notes.push("added -v (--split-tests) to read each test's result");
  }
  const argv = goTest ? [original[0] ?? "go", "test", ...added, ...original.slice(2)] : [...original];
  return { original: [...original], argv, goTest, splitTests: splitFlag || verbose, notes };
}

/** A shell command line for `argv`, each word quoted as needed. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/**
 * The command that re-runs one failure: `RAFTLAB_ITER=<iteration>` and the RERUN_ENV variables set in
 * `env`, then for a Go test `go test -run '^TestX$' -count=1` with the user's other flags (their -run
 * and -count dropped); for a Go failure no single test owns (a timeout without -v, a build error),
 * `go test -count=1` with the user's flags (their -count dropped); otherwise the user's command as it was.
 */
export function rerunCommand(original: readonly string[], test: string | null, iteration: number, env: Readonly<Record<string, string>>): string {
  const prefix = [`RAFTLAB_ITER=${iteration}`, ...Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`)];
  let argv: readonly string[] = original;
  if (isGoTest(original)) {
    const oneTest = test !== null && /^Test\w*$|^Example\w*$|^Fuzz\w*$/.test(test);
    const rest: string[] = [];
    const tail = original.slice(2);
    const argsAt = tail.indexOf("-args");
    const flags = argsAt < 0 ? tail : tail.slice(0, argsAt);
    for (let i = 0; i < flags.length; i++) {
      const a = flags[i] ?? "";
      if ((oneTest && RUN_FLAG.test(a)) || COUNT_FLAG.test(a)) {
        if (!a.includes("=")) i += 1; // `-run X`: drop the value too
        continue;
      }
      rest.push(a);
    }
    const run = oneTest ? ["-run", `^${test}$`] : [];
    argv = [original[0] ?? "go", "test", ...run, "-count=1", ...rest, ...(argsAt < 0 ? [] : tail.slice(argsAt))];
  }
  return [...prefix, commandLine(argv)].join(" ");
}

/** The RERUN_ENV variables set in an environment, to repeat in re-run commands. */
export function rerunEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of RERUN_ENV) {
    const v = env[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}
