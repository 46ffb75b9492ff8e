// Tracing: on or off changes no behaviour; events carry the documented fields; ids pair messages.
import { describe, expect, it } from "vitest";
import type { Value } from "../src/api.js";
import { encodeValue } from "../src/codec.js";
import { createPrng } from "../src/prng.js";
import { RaftCore, type OutRequest, type StepOutput } from "../src/core/index.js";
import type { TraceEvent } from "../src/trace.js";
import { TOPICS, PEER_OPS } from "../src/trace.js";
import { config } from "./helpers.js";

/**
 * A tiny deterministic network of three cores: messages are delivered (or lost) in an order drawn from
 * a seeded PRNG. Returns a transcript of every effect except trace events, plus the trace.
 */
function simulate(tracing: boolean, seed: number): { transcript: string[]; trace: TraceEvent[] } {
  const rng = createPrng(seed);
  const n = 3;
  const cores: RaftCore[] = [];
  const transcript: string[] = [];
  const trace: TraceEvent[] = [];
  type Pending = { at: number; req: OutRequest; from: number; reply?: Value | null };
  let pending: Pending[] = [];
  const record = (who: number, what: string, out: StepOutput): void => {
    trace.push(...out.trace);
    transcript.push(
      JSON.stringify({
        who,
        what,
        persist: out.persist === null ? null : Array.from(out.persist.state),
        send: out.send.map((r) => [r.method, r.to, r.id, Array.from(encodeValue(r.args))]),
        reply: out.reply === null ? null : Array.from(encodeValue(out.reply)),
        apply: out.apply.map((m) => (m.commandValid ? m.commandIndex : -m.snapshotIndex)),
        wakeAt: out.wakeAt,
        start: out.start,
      }),
    );
    for (const req of out.send) pending.push({ at: 0, req, from: who });
  };
  for (let i = 0; i < n; i++) {
    const { core, output } = RaftCore.boot(config({ me: i, tracing }), createPrng(seed + i), { raftState: new Uint8Array(0), snapshot: new Uint8Array(0) }, 0);
    cores.push(core);
    record(i, "boot", output);
  }
  let cmd = 0;
  for (let t = 1; t <= 3_000; t += 1 + rng.int(7)) {
    for (let i = 0; i < n; i++) record(i, "tick", (cores[i] as RaftCore).step({ kind: "tick", now: t }));
    if (rng.int(10) === 0) for (let i = 0; i < n; i++) record(i, "start", (cores[i] as RaftCore).step({ kind: "start", now: t, command: `v${cmd++}` }));
    if (rng.int(40) === 0) {
      const i = rng.int(n);
      const core = cores[i] as RaftCore;
      if (core.lastApplied > core.snapshotIndex)
        record(i, "snapshot", core.step({ kind: "snapshot", now: t, index: core.lastApplied, data: Uint8Array.from([core.lastApplied]) }));
    }
    const now = pending;
    pending = [];
    for (const p of now) {
      const roll = rng.int(10);
      if (roll === 0) continue; // lost for good (the reply input below never comes)
      if (roll === 1) {
        pending.push(p); // delayed: reordered with later messages
        continue;
      }
      if (p.reply === undefined) {
        const out = (cores[p.req.to] as RaftCore).step({ kind: "request", now: t, method: p.req.method, args: p.req.args, id: p.req.id });
        record(p.req.to, "request", out);
        pending.push({ ...p, reply: rng.int(10) === 0 ? null : out.reply });
      } else {
        record(p.from, "reply", (cores[p.from] as RaftCore).step({ kind: "reply", now: t, request: p.req, reply: p.reply }));
      }
    }
  }
  return { transcript, trace };
}

describe("tracing", () => {
  it("tracing on vs off: the same inputs give the same outputs, apart from trace events", () => {
    for (const seed of [1, 2, 3]) {
      const on = simulate(true, seed);
      const off = simulate(false, seed);
      expect(off.trace).toEqual([]);
      expect(on.trace.length).toBeGreaterThan(100);
      expect(on.transcript).toEqual(off.transcript);
      // It made progress, so the comparison covers commits and applies too.
      expect(on.transcript.some((l) => l.includes('"apply":[1'))).toBe(true);
    }
  });

  it("every event has the documented fields; message events pair send and receipt by id", () => {
    const { trace } = simulate(true, 5);
    const ops = new Set<string>(PEER_OPS);
    const topics = new Set<string>(TOPICS);
    for (const e of trace) {
      expect(ops.has(e.op), e.op).toBe(true);
      expect(topics.has(e.topic), e.topic).toBe(true);
      expect(e.src).toBeGreaterThanOrEqual(0);
      expect(["follower", "candidate", "leader"]).toContain(e.state);
      expect(typeof e.msg).toBe("string");
      expect(e.msg).not.toContain("\n");
    }
    const sends = trace.filter((e) => e.op === "AppendEntries" && e.dir === "send");
    const recvs = new Map(trace.filter((e) => e.op === "AppendEntries" && e.dir === "recv").map((e) => [e.id, e]));
    expect(sends.length).toBeGreaterThan(10);
    let paired = 0;
    for (const s of sends) {
      expect(s.src).toBe(s.from);
      expect(s.msg).toMatch(/^S\d -> S\d AE T\d+ prev=\(\d+,\d+\) (heartbeat|\[\d+\.\.\d+\]) commit=\d+$/);
      const r = recvs.get(s.id);
      if (r === undefined) continue; // lost
      paired++;
      expect(r.src).toBe(s.dst);
      expect(r.from).toBe(s.src);
      expect([r.prevLogIndex, r.prevLogTerm, r.first, r.last, r.leaderCommit]).toEqual([s.prevLogIndex, s.prevLogTerm, s.first, s.last, s.leaderCommit]);
    }
    expect(paired).toBeGreaterThan(sends.length / 2);
    // Replies share the request's id: the reply's send (at the follower) and receipt (at the leader).
    const replySends = trace.filter((e) => e.op === "AppendEntriesReply" && e.dir === "send");
    const replyRecvs = trace.filter((e) => e.op === "AppendEntriesReply" && e.dir === "recv");
    expect(replyRecvs.every((rr) => replySends.some((rs) => rs.id === rr.id && rs.src === rr.from))).toBe(true);
    const ids = sends.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
