// The faults a schedule injects, one by one: what `raftlab shrink` removes and counts, and how they
// read in plain words (`t=1.200s crash S2`, `t=1.215s drop S0→S1 AppendEntries #88`).
//
// A fault is: a crash of a live server, a restart of a live one, a disconnect of a connected one,
// turning the network unreliable or long reordering on (script steps not left out); and per message,
// a dropped request, a dropped reply, a reply held back by long reordering, a delayed request. How
// long a call to an unreachable server takes to fail is not a fault (it is how labrpc fails a call).

import { netKey, stepKey, type NetDecision, type Schedule, type ScriptStep } from "./format.js";

export type FaultKind = "crash" | "restart" | "disconnect" | "unreliable" | "reordering" | "drop" | "drop-reply" | "hold" | "delay";

export interface Fault {
  readonly kind: FaultKind;
  /** Virtual ms. */
  readonly t: number;
  /** The step (op#k) or message (from>to#n) it belongs to. */
  readonly key: string;
  readonly text: string;
}

const STEP_KIND: Record<string, FaultKind> = { crash: "crash", start: "restart", disconnect: "disconnect", unreliable: "unreliable", reordering: "reordering" };

function secs(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)}s`;
}

function stepText(s: ScriptStep, kind: FaultKind): string {
  if (kind === "unreliable") return `${secs(s.t)} network unreliable`;
  if (kind === "reordering") return `${secs(s.t)} long reordering on`;
  return `${secs(s.t)} ${kind} S${s.peer}`;
}

function netFaults(d: NetDecision): Fault[] {
  const key = netKey(d.from, d.to, d.n);
  const msg = `S${d.from}→S${d.to} ${d.method} #${d.n}`;
  const out: Fault[] = [];
  const delay = d.d ?? 0;
  if (delay > 0) out.push({ kind: "delay", t: d.t, key, text: `${secs(d.t)} delay ${msg} by ${delay}ms` });
  if (d.q === true) out.push({ kind: "drop", t: d.t + delay, key, text: `${secs(d.t + delay)} drop ${msg}` });
  if (d.r === true) out.push({ kind: "drop-reply", t: d.t + delay, key, text: `${secs(d.t + delay)} drop the reply to ${msg}` });
  if ((d.h ?? 0) > 0) out.push({ kind: "hold", t: d.t + delay, key, text: `${secs(d.t + delay)} hold the reply to ${msg} for ${d.h}ms` });
  return out;
}

/** The faults a schedule injects, in time order (ties: script steps first, then by address). */
export function listFaults(s: Schedule): Fault[] {
  const out: Fault[] = [];
  for (const step of s.script) {
    const kind = STEP_KIND[step.op];
    if (step.fault && step.skip !== true && kind !== undefined) out.push({ kind, t: step.t, key: stepKey(step.op, step.k), text: stepText(step, kind) });
  }
  for (const d of s.net) out.push(...netFaults(d));
  // A stable sort: equal times keep the script-then-network, recorded order.
  return out.sort((a, b) => a.t - b.t);
}

export function countFaults(s: Schedule): number {
  return listFaults(s).length;
}

/** The schedule with these faults removed: steps left out, messages delivered at once and not dropped. */
export function withoutFaults(s: Schedule, remove: readonly Fault[]): Schedule {
  const steps = new Set<string>();
  const net = new Map<string, Set<FaultKind>>();
  for (const f of remove) {
    if (f.kind === "drop" || f.kind === "drop-reply" || f.kind === "hold" || f.kind === "delay") {
      const kinds = net.get(f.key) ?? new Set<FaultKind>();
      kinds.add(f.kind);
      net.set(f.key, kinds);
    } else steps.add(f.key);
  }
  return {
    ...s,
    script: s.script.map((step) => (steps.has(stepKey(step.op, step.k)) ? { ...step, skip: true } : step)),
    net: s.net.map((d) => {
      const kinds = net.get(netKey(d.from, d.to, d.n));
      if (kinds === undefined) return d;
      const { d: delay, q, r, h, ...rest } = d;
      return {
        ...rest,
        ...(delay !== undefined && !kinds.has("delay") ? { d: delay } : {}),
        ...(q !== undefined && !kinds.has("drop") ? { q } : {}),
        ...(r !== undefined && !kinds.has("drop-reply") ? { r } : {}),
        ...(h !== undefined && !kinds.has("hold") ? { h } : {}),
      };
    }),
  };
}
