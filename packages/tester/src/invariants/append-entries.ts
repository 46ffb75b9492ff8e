// Reading an AppendEntries request without knowing the Raft that sent it. Any implementation whose
// RPC method name contains "AppendEntries" and whose arguments carry the conventional Figure 2 fields
// (term, prevLogIndex, prevLogTerm, entries = [{term, command}], in any letter case, with or without
// underscores, e.g. Go-style `PrevLogIndex` or `prev_log_index`) is understood; anything else is
// ignored, and only the checks that need no log view run (see README, "Invariant checks").

import type { Value } from "@raftlab/raft";

export interface ObservedEntry {
  readonly term: number;
  readonly command: Value;
}

export interface AppendEntriesView {
  readonly term: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly ObservedEntry[];
}

type Obj = { readonly [key: string]: Value };

function asObj(v: Value | undefined): Obj | null {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Obj) : null;
}

function normalize(key: string): string {
  return key.replace(/_/g, "").toLowerCase();
}

function field(o: Obj, wanted: string): Value | undefined {
  // Exact camelCase first (the common case, and ours), then any spelling.
  const direct = o[wanted];
  if (direct !== undefined) return direct;
  const want = normalize(wanted);
  for (const key of Object.keys(o)) if (normalize(key) === want) return o[key];
  return undefined;
}

function isNat(v: Value | undefined): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

const METHOD = /appendentries/i;

export function readAppendEntries(method: string, args: Value): AppendEntriesView | null {
  if (!METHOD.test(method)) return null;
  const o = asObj(args);
  if (o === null) return null;
  const term = field(o, "term");
  const prevLogIndex = field(o, "prevLogIndex");
  const prevLogTerm = field(o, "prevLogTerm");
  const rawEntries = field(o, "entries");
  if (!isNat(term) || !isNat(prevLogIndex) || typeof prevLogTerm !== "number" || !Array.isArray(rawEntries)) return null;
  const list = rawEntries as readonly Value[];
  const entries: ObservedEntry[] = new Array<ObservedEntry>(list.length);
  for (let k = 0; k < list.length; k++) {
    const e = asObj(list[k]);
    if (e === null) return null;
    const et = field(e, "term");
    const command = field(e, "command");
    if (!isNat(et) || command === undefined) return null;
    entries[k] = { term: et, command };
  }
  return { term, prevLogIndex, prevLogTerm, entries };
}
