// RPC messages as they cross the network: checking the shape of what arrives (a reply or request is
// untrusted data; a malformed one is dropped, never allowed to corrupt the state) and the one-line
// dslogs-style summaries used in trace events.

import type { Value } from "../api.js";
import type { AppendEntriesArgs, AppendEntriesReply, Entry, InstallSnapshotArgs, InstallSnapshotReply, RequestVoteArgs, RequestVoteReply } from "./messages.js";

type Obj = { readonly [key: string]: Value };

function asObj(v: Value | null): Obj | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Obj) : null;
}
function isNat(v: Value | undefined): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
function isInt(v: Value | undefined): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

export function parseRequestVoteArgs(v: Value, peerCount: number): RequestVoteArgs | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term) || !isNat(o.candidateId) || o.candidateId >= peerCount) return null;
  if (!isNat(o.lastLogIndex) || !isNat(o.lastLogTerm)) return null;
  return { term: o.term, candidateId: o.candidateId, lastLogIndex: o.lastLogIndex, lastLogTerm: o.lastLogTerm };
}

export function parseRequestVoteReply(v: Value | null): RequestVoteReply | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term) || typeof o.voteGranted !== "boolean") return null;
  return { term: o.term, voteGranted: o.voteGranted };
}

export function parseAppendEntriesArgs(v: Value, peerCount: number): AppendEntriesArgs | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term) || !isNat(o.leaderId) || o.leaderId >= peerCount) return null;
  if (!isNat(o.prevLogIndex) || !isNat(o.prevLogTerm) || !isNat(o.leaderCommit) || !Array.isArray(o.entries)) return null;
  const raw = o.entries as readonly Value[];
  const entries: Entry[] = new Array<Entry>(raw.length);
  let prevTerm = o.prevLogTerm;
  for (let i = 0; i < raw.length; i++) {
    const e = asObj(raw[i] as Value);
    if (e === null || !isNat(e.term) || e.term < prevTerm || e.term > o.term || e.command === undefined) return null;
    prevTerm = e.term;
    entries[i] = { term: e.term, command: e.command };
  }
  return {
    term: o.term,
    leaderId: o.leaderId,
    prevLogIndex: o.prevLogIndex,
    prevLogTerm: o.prevLogTerm,
    entries,
    leaderCommit: o.leaderCommit,
  };
}

export function parseAppendEntriesReply(v: Value | null): AppendEntriesReply | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term) || typeof o.success !== "boolean") return null;
  if (!isInt(o.xTerm) || !isInt(o.xIndex) || !isInt(o.xLen)) return null;
  return { term: o.term, success: o.success, xTerm: o.xTerm, xIndex: o.xIndex, xLen: o.xLen };
}

export function parseInstallSnapshotArgs(v: Value, peerCount: number): InstallSnapshotArgs | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term) || !isNat(o.leaderId) || o.leaderId >= peerCount) return null;
  if (!isNat(o.lastIncludedIndex) || !isNat(o.lastIncludedTerm) || !(o.data instanceof Uint8Array)) return null;
  if (o.lastIncludedIndex === 0 || o.lastIncludedTerm > o.term) return null;
  return {
    term: o.term,
    leaderId: o.leaderId,
    lastIncludedIndex: o.lastIncludedIndex,
    lastIncludedTerm: o.lastIncludedTerm,
    data: o.data,
  };
}

export function parseInstallSnapshotReply(v: Value | null): InstallSnapshotReply | null {
  const o = asObj(v);
  if (o === null || !isNat(o.term)) return null;
  return { term: o.term };
}

// One-line summaries, e.g. `S1 -> S2 AE T3 prev=(5,2) [6..9] commit=5`.

export function describeRequestVote(from: number, to: number, a: RequestVoteArgs): string {
  return `S${from} -> S${to} RV T${a.term} last=(${a.lastLogIndex},${a.lastLogTerm})`;
}
export function describeRequestVoteReply(from: number, to: number, r: RequestVoteReply): string {
  return `S${from} -> S${to} RV reply T${r.term} ${r.voteGranted ? "granted" : "refused"}`;
}
export function describeAppendEntries(from: number, to: number, a: AppendEntriesArgs): string {
  const n = a.entries.length;
  const range = n === 0 ? "heartbeat" : `[${a.prevLogIndex + 1}..${a.prevLogIndex + n}]`;
  return `S${from} -> S${to} AE T${a.term} prev=(${a.prevLogIndex},${a.prevLogTerm}) ${range} commit=${a.leaderCommit}`;
}
export function describeAppendEntriesReply(from: number, to: number, r: AppendEntriesReply): string {
  const how = r.success ? "ok" : `fail x=(T${r.xTerm},i${r.xIndex},len${r.xLen})`;
  return `S${from} -> S${to} AE reply T${r.term} ${how}`;
}
export function describeInstallSnapshot(from: number, to: number, a: InstallSnapshotArgs): string {
  return `S${from} -> S${to} IS T${a.term} snap=(${a.lastIncludedIndex},${a.lastIncludedTerm}) ${a.data.length}B`;
}
export function describeInstallSnapshotReply(from: number, to: number, r: InstallSnapshotReply): string {
  return `S${from} -> S${to} IS reply T${r.term}`;
}
