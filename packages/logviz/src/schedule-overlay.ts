// `logviz TRACE --schedule FILE`: marks the rows whose fault the schedule injected (a scheduled drop, a
// crash, restart or disconnect from the schedule's script). An overlay, not new trace events: a run
// replayed from a schedule must write the very trace the seed run wrote, so the trace cannot say which
// of its faults the schedule holds. The schedule's format is the shared contract in @raftlab/raft/trace
// (raft/src/schedule-format.ts); this reader checks only the fields it uses, and the tester's own
// loader stays the judge of whether a schedule replays.
//
// A row matches a fault by what both record: its test, its op, its time and its peers (and, for a lost
// message, its method and whether the request or the reply was dropped). A schedule's network faults
// happen where it says: a dropped request at its call time plus its delay, a dropped reply there too
// (the handler answers at once; an asynchronous handler's reply drop, later, is not matched).

import { readFileSync, statSync } from "node:fs";
import { MAX_SCHEDULE_BYTES, SCHEDULE_FORMAT, SCHEDULE_VERSION } from "@raftlab/raft/trace";
import { F, Kind, type LogStore } from "./store.js";

export class ScheduleOverlayError extends Error {
  override readonly name = "ScheduleOverlayError";
}

/** The harness op each fault-injecting script step shows as. */
const STEP_OPS: Readonly<Record<string, string>> = {
  crash: "Crash",
  start: "Restart",
  disconnect: "Disconnect",
  unreliable: "NetUnreliable",
  reordering: "LongReordering",
};
/** Faults held per schedule (a bound on what a hand-made file can make logviz keep). */
const MAX_FAULTS = 1_000_000;
/** `S0 -> S1 AppendEntries lost: request dropped` (net/network.ts's MsgLost text). */
const LOST = /^S(\d+) -> S(\d+) (\S+) lost: (request|reply) dropped$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function secs(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)}s`;
}

export class ScheduleOverlay {
  /** Row key -> what the schedule says of it, in plain words. */
  private readonly faults = new Map<string, string>();

  private constructor(
    readonly file: string,
    readonly test: string,
  ) {}

  /** The number of faults the schedule injects that a row can show. */
  get size(): number {
    return this.faults.size;
  }

  /** Reads a schedule file; throws ScheduleOverlayError with one line for anything it cannot use. */
  static load(file: string): ScheduleOverlay {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_SCHEDULE_BYTES) throw new ScheduleOverlayError(`${file} is ${size} bytes; a schedule is at most ${MAX_SCHEDULE_BYTES} bytes`);
      text = readFileSync(file, "utf8");
    } catch (e) {
      if (e instanceof ScheduleOverlayError) throw e;
      throw new ScheduleOverlayError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ScheduleOverlayError(`${file} is not complete JSON (truncated?)`);
    }
    return ScheduleOverlay.from(raw, file);
  }

  /** Builds the overlay from a parsed schedule; `where` names it in errors. */
  static from(raw: unknown, where: string): ScheduleOverlay {
    const bad = (what: string): never => {
      throw new ScheduleOverlayError(`${where}: ${what}`);
    };
    if (!isObject(raw) || raw["format"] !== SCHEDULE_FORMAT) return bad(`not a raftlab schedule (no "format": "${SCHEDULE_FORMAT}")`);
    if (raw["version"] !== SCHEDULE_VERSION) bad(`schedule version ${JSON.stringify(raw["version"])}; this logviz reads version ${SCHEDULE_VERSION}`);
    if (typeof raw["test"] !== "string") bad("no test name");
    const script = raw["script"];
    const net = raw["net"];
    if (!Array.isArray(script) || !Array.isArray(net)) return bad("script and net must be lists");
    if (script.length + net.length > MAX_FAULTS) bad(`more than ${MAX_FAULTS} entries`);
    const o = new ScheduleOverlay(where, raw["test"] as string);
    script.forEach((s: unknown, i) => {
      if (!isObject(s) || typeof s["op"] !== "string" || !isNum(s["peer"]) || !isNum(s["t"])) bad(`script[${i}] is malformed`);
      const st = s as { op: string; peer: number; t: number; k?: unknown; fault?: unknown; skip?: unknown };
      const op = STEP_OPS[st.op];
      if (op === undefined || st.fault !== true || st.skip === true) return;
      const what = st.peer >= 0 ? `${st.op === "start" ? "restart" : st.op} S${st.peer}` : st.op === "unreliable" ? "network unreliable" : "long reordering on";
      o.faults.set(stepKey(op, st.peer, st.t), `${secs(st.t)} ${what} (script step ${st.op} #${String(st.k)})`);
    });
    net.forEach((m: unknown, i) => {
      if (!isObject(m) || !isNum(m["from"]) || !isNum(m["to"]) || !isNum(m["t"]) || typeof m["method"] !== "string") bad(`net[${i}] is malformed`);
      const d = m as { from: number; to: number; t: number; n?: unknown; method: string; d?: unknown; q?: unknown; r?: unknown };
      const at = d.t + (isNum(d.d) ? d.d : 0);
      const msg = `S${d.from}→S${d.to} ${d.method} #${String(d.n)}`;
      if (d.q === true) o.faults.set(lostKey(d.from, d.to, d.method, "request", at), `${secs(at)} drop ${msg}`);
      if (d.r === true) o.faults.set(lostKey(d.from, d.to, d.method, "reply", at), `${secs(at)} drop the reply to ${msg}`);
    });
    return o;
  }

  /** What the schedule says of a row, or null when the row is none of its faults. */
  faultOf(store: LogStore, row: number): string | null {
    if (store.kind[row] !== Kind.Json || store.src[row] !== -1 || store.testName(row) !== this.test) return null;
    const op = store.ops.name(store.op[row] as number);
    const t = store.t[row] as number;
    if (op === "MsgLost") {
      const m = LOST.exec(store.textAt(row));
      if (m === null) return null;
      return this.faults.get(lostKey(Number(m[1]), Number(m[2]), m[3] as string, m[4] as string, t)) ?? null;
    }
    if (!Object.values(STEP_OPS).includes(op)) return null;
    const peer = store.dst[row] as number;
    return this.faults.get(stepKey(op, peer >= 0 ? peer : -1, t)) ?? null;
  }

  /** Flags the row when the schedule injected it (called for each row as it is read). */
  mark(store: LogStore, row: number): void {
    if (this.faultOf(store, row) !== null) store.flags[row] = (store.flags[row] as number) | F.Scheduled;
  }
}

function stepKey(op: string, peer: number, t: number): string {
  return `${op} ${peer} ${t}`;
}

function lostKey(from: number, to: number, method: string, which: string, t: number): string {
  return `MsgLost ${from}>${to} ${method} ${which} ${t}`;
}

/** The label a marked row's text starts with: what a student reads in the row itself. */
export function scheduledLabel(op: string): string {
  return op === "MsgLost" ? "[scheduled drop]" : "[from the schedule]";
}

/** `<stem>.schedule.json` for a batch's shrunk trace `<stem>.shrunk.jsonl` (the pair `--shrink` saves). */
export function scheduleBeside(trace: string): string | null {
  return trace.endsWith(".shrunk.jsonl") ? `${trace.slice(0, -".shrunk.jsonl".length)}.schedule.json` : null;
}
