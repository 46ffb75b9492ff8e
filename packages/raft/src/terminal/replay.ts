// The one command that replays a run (and opens its trace in logviz), printed by `raftlab run` under a
// failed test and by batch/stress reports under each failure.
import { escapeControls, hasControls } from "../escape.js";

export interface ReplaySpec {
  readonly test: string;
  readonly seed: number;
  /** --impl module, as the user gave it; null for raftlab's own Raft. */
  readonly impl: string | null;
  /** --strict changes verdicts (a heartbeat-rate warning fails the run): the replay must judge alike. */
  readonly strict?: boolean;
  /**
   * --timeout to carry, in seconds. `raftlab run` passes the --timeout the user gave (a replay with
   * the default would judge a slow Raft differently); a batch passes none, as its reports always did:
   * a replay of one run does not need the batch's per-run limit, and the replay's own default applies.
   */
  readonly timeoutSec?: number;
  /** A schedule file (raftlab shrink -o FILE) that the run replays instead of the seed's draws. */
  readonly schedule?: string;
}

/**
 * What printed commands start with: "" where `raftlab` and `logviz` are on the shell's PATH (a global
 * install, a checkout), "npx " inside an npm project that depends on raftlab (its bins are only in
 * node_modules/.bin there). The tester decides once at start (tester/src/invocation.ts).
 */
let commandPrefix = "";

/** Sets the prefix of every printed command ("npx " or ""). */
export function setCommandPrefix(prefix: "npx " | ""): void {
  commandPrefix = prefix;
}

/** The one command that replays a run and opens its trace in logviz. */
export function replayCommand(r: ReplaySpec): string {
  const npx = commandPrefix;
  const implFlag = r.impl === null ? "" : ` --impl ${shellQuote(r.impl)}`;
  // `raftlab batch conform`'s runs replay with the conformance command itself.
  if (r.test === "Conformance") return `${npx}raftlab conform --seed ${r.seed}${implFlag}`;
  const timeoutFlag = r.timeoutSec !== undefined ? ` --timeout ${r.timeoutSec}` : "";
  const strictFlag = r.strict === true ? " --strict" : "";
  const from = r.schedule !== undefined ? `--schedule ${shellQuote(r.schedule)}` : `--seed ${r.seed}`;
  return `${npx}raftlab run ${shellQuote(r.test)} ${from}${implFlag}${timeoutFlag}${strictFlag} --trace | ${npx}logviz`;
}

/**
 * `s` as one shell word, safe to print: plain words as they are, others in single quotes, and words
 * holding control or format characters in bash's $'…' form with those characters escaped (`\x1b`), so
 * the command can be copied and run but its text cannot drive the terminal it is printed on.
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(s)) return s;
  if (!hasControls(s)) return `'${s.replace(/'/g, "'\\''")}'`;
  return `$'${escapeControls(s.replace(/\\/g, "\\\\").replace(/'/g, "\\'"))}'`;
}
