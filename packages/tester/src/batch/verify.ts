// Replay verification: after a batch, the example run of every failure group is run again and must
// fail with the same message and produce a byte-identical trace. This proves the printed replay
// command works, and catches a Raft that escapes the seeded Runtime (Math.random, Date.now, real
// timers), whose failures could never be replayed.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { SlotOutcome } from "./pool.js";
import type { ReplayCheck } from "../runs/replay-check.js";
import type { RunRecord } from "../runs/record.js";

export type { ReplayCheck };

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Whether a failing run can be checked by replaying it (its whole trace was saved). */
export function replayCheckable(r: RunRecord): string | null {
  if (r.virtualMs === null) return "the run was stopped (timeout or crash), so there is no complete run to compare";
  if (r.trace === null) return "its trace was not saved";
  if (r.traceTruncated) return "its saved trace was cut at --trace-cap";
  return null;
}

/** Compares a replay's outcome with the saved run. */
export async function compareReplay(original: RunRecord, outDir: string, outcome: SlotOutcome): Promise<ReplayCheck> {
  const base = { test: original.test, seed: original.seed, signature: original.signature ?? "" };
  if (outcome.type === "cancelled") return { ...base, verdict: "skipped", detail: "the batch was stopped before the replay finished" };
  if (outcome.type === "stopped") return { ...base, verdict: "differs", detail: `the replay did not finish: ${outcome.message}` };
  const r = outcome.record;
  if (r.ok) return { ...base, verdict: "differs", detail: "the replay passed" };
  if (r.kind !== original.kind || r.message !== original.message) {
    return { ...base, verdict: "differs", detail: `the replay failed differently: ${r.kind}: ${firstLine(r.message ?? "")}` };
  }
  if (original.trace === null || outcome.traceSha256 === null) return { ...base, verdict: "skipped", detail: "no trace to compare" };
  let saved: string;
  try {
    saved = await sha256File(join(outDir, original.trace));
  } catch {
    return { ...base, verdict: "skipped", detail: `its saved trace ${join(outDir, original.trace)} is gone` };
  }
  if (saved !== outcome.traceSha256) {
    return { ...base, verdict: "differs", detail: "same failure, but the trace differs from the saved one (the run is not deterministic)" };
  }
  return { ...base, verdict: "same", detail: "same failure, byte-identical trace" };
}

function firstLine(s: string): string {
  return s.split(/\r?\n/, 1)[0] ?? "";
}
