// Saved run artifacts: `<test>-<seed>.jsonl` (the trace, one event per line, exactly what
// `raftlab run --trace` prints) and `<test>-<seed>.log` (a header triage can read back, the tester's
// output, then the full failure message).

import { mkdirSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import type { RunRecord } from "./record.js";
import { replayCommand } from "@raftlab/raft/terminal";

export const LOG_HEADER_FIRST_LINE = "# raftlab batch run";

export interface LogContent {
  readonly record: RunRecord;
  readonly impl: string | null;
  /** The batch ran with --strict. */
  readonly strict?: boolean;
  readonly output: readonly string[];
  readonly outputTruncated: number;
  readonly note?: string;
}

/** The `.log` text for a run. Header lines are `# key: value`, one value per line. */
export function formatRunLog(c: LogContent): string {
  const r = c.record;
  const oneLine = (s: string): string => s.replace(/\r?\n/g, " ⏎ ");
  const header = [
    LOG_HEADER_FIRST_LINE,
    `# test: ${r.test}`,
    `# seed: ${r.seed}`,
    ...(c.impl !== null ? [`# impl: ${oneLine(c.impl)}`] : []),
    ...(c.strict === true ? ["# strict: true"] : []),
    `# result: ${r.ok ? "pass" : "fail"}`,
    ...(r.ok
      ? []
      : [
          `# kind: ${r.kind ?? "fail"}`,
          `# signature: ${r.signature ?? ""}`,
          ...(r.invariant !== null ? [`# invariant: ${r.invariant}`] : []),
          `# message: ${oneLine(r.message ?? "")}`,
        ]),
    `# virtual-ms: ${r.virtualMs ?? "unknown"}`,
    `# wall-ms: ${r.wallMs.toFixed(1)}`,
    ...(r.rpcs !== null ? [`# rpcs: ${r.rpcs}`, `# bytes: ${r.bytes ?? 0}`, `# cmds: ${r.cmds ?? 0}`, `# peers: ${r.peers ?? 0}`] : []),
    ...(r.trace !== null ? [`# trace: ${r.trace}${r.traceTruncated ? " (truncated)" : ""}`] : []),
    `# replay: ${replayCommand({ test: r.test, seed: r.seed, impl: c.impl, strict: c.strict === true })}`,
    ...(c.note !== undefined ? [`# note: ${oneLine(c.note)}`] : []),
  ];
  const body = [...c.output];
  if (c.outputTruncated > 0) body.push(`… ${c.outputTruncated} more output lines not kept (cap reached)`);
  if (!r.ok && r.message !== null) body.push("", `${(r.kind ?? "fail").toUpperCase()}: ${r.message}`);
  return `${header.join("\n")}\n\n${body.join("\n")}\n`;
}

/** The `# key: value` header of a saved `.log`, or null if the text is not one. */
export function parseRunLogHeader(text: string): Map<string, string> | null {
  const lines = text.split("\n");
  if (lines[0] !== LOG_HEADER_FIRST_LINE) return null;
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line.startsWith("# ")) break;
    const colon = line.indexOf(": ");
    if (colon < 0) continue;
    fields.set(line.slice(2, colon), line.slice(colon + 2));
  }
  return fields;
}

/**
 * `mkdir -p`, one component at a time. Node 20's `mkdirSync(path, { recursive: true })` spins forever on
 * some paths (under /proc, where mkdir reports ENOENT for a parent that exists); this loop is bounded by
 * the number of path components and throws the first real error. Returns the first folder it created
 * (null if all existed), so that a probe can remove exactly what it made.
 */
export function makeDirs(path: string): string | null {
  let created: string | null = null;
  const parts = resolve(path).split(sep);
  let current = parts[0] === "" ? sep : (parts[0] ?? "");
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    current = current.endsWith(sep) ? current + part : current + sep + part;
    try {
      mkdirSync(current);
      created ??= current;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!statSync(current).isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: "ENOTDIR" });
      }
    }
  }
  return created;
}

/** One line for a failed artifact write: Node's own message ("ENOSPC: no space left on device, open '…'"). */
export function saveErrorText(e: unknown): string {
  return ((e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "").trim();
}
