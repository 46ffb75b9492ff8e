// The driver: effects carried out in order, kill() makes a zombie inert, re-entrant snapshot() from the
// apply callback, handleRpc's synchronous reply, and the logging helper.
import { describe, expect, it } from "vitest";
import type { ApplyMsg, ClientEnd, Runtime, Value } from "../src/api.js";
import { createDebug, make, MemoryPersister, realRuntime, type TraceEvent } from "../src/index.js";

interface FakeRuntime extends Runtime {
  timers: { at: number; fn: () => void; live: boolean }[];
  advance(to: number): void;
  t: number;
}

function fakeRuntime(trace: ((e: TraceEvent) => void) | null = null): FakeRuntime {
  const rt: FakeRuntime = {
    t: 0,
    timers: [],
    now: () => rt.t,
    setTimer(ms, fn) {
      const timer = { at: rt.t + ms, fn, live: true };
      rt.timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
    random: () => 0,
    trace,
    advance(to) {
      for (;;) {
        const due = rt.timers.filter((x) => x.live && x.at <= to).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        due.live = false;
        rt.t = due.at;
        due.fn();
      }
      rt.t = to;
    },
  };
  return rt;
}

/** Ends that record calls and never answer (until `answer` is called). */
function recordingEnds(n: number, log: string[]): { ends: ClientEnd[]; answer: (i: number, reply: Value | null) => void } {
  const resolvers: ((v: Value | null) => void)[] = [];
  const ends = Array.from({ length: n }, (_, to) => ({
    call(method: string, args: Value): Promise<Value | null> {
      log.push(`call ${to} ${method} ${JSON.stringify(args)}`);
      return new Promise((resolve) => resolvers.push(resolve));
    },
  }));
  return { ends, answer: (i, reply) => resolvers[i]?.(reply) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("driver (lab-style API over the core)", () => {
  it("persists before sending: the vote is saved before handleRpc returns the reply", () => {
    const rt = fakeRuntime();
    const log: string[] = [];
    const persister = new MemoryPersister();
    const save = persister.save.bind(persister);
    persister.save = (s, snap) => {
      log.push("save");
      save(s, snap);
    };
    const rf = make(recordingEnds(3, log).ends, 1, persister, () => {}, rt);
    log.length = 0;
    const reply = rf.handleRpc("Raft.RequestVote", { term: 2, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 });
    expect(reply).toEqual({ term: 2, voteGranted: true });
    expect(log).toEqual(["save"]);
    expect(rf.getState()).toEqual({ term: 2, isLeader: false });
    expect(rf.persistBytes()).toBe(persister.raftStateSize());
  });

  it("elects itself through the timer it sets, and sends to all peers without waiting for any reply", () => {
    const rt = fakeRuntime();
    const log: string[] = [];
    const rf = make(recordingEnds(3, log).ends, 0, new MemoryPersister(), () => {}, rt);
    rt.advance(299);
    expect(log).toEqual([]);
    rt.advance(300);
    expect(log.filter((l) => l.includes("Raft.RequestVote")).map((l) => l.split(" ")[1])).toEqual(["1", "2"]);
    expect(rf.getState()).toEqual({ term: 1, isLeader: false });
  });

  it("kill(): a zombie never sends, persists, applies or sets timers again, ignores late replies, and start() says isLeader false", async () => {
    const rt = fakeRuntime();
    const log: string[] = [];
    const { ends, answer } = recordingEnds(3, log);
    const persister = new MemoryPersister();
    let saves = 0;
    const save = persister.save.bind(persister);
    persister.save = (s, snap) => {
      saves++;
      save(s, snap);
    };
    const applied: ApplyMsg[] = [];
    const rf = make(ends, 0, persister, (m) => applied.push(m), rt);
    rt.advance(1_000); // candidate: RequestVotes outstanding
    const savesBefore = saves;
    const callsBefore = log.length;
    rf.kill();
    answer(0, { term: 1, voteGranted: true });
    answer(1, { term: 1, voteGranted: true });
    await tick();
    rt.advance(60_000);
    expect(rt.timers.filter((t) => t.live)).toEqual([]);
    expect(rf.getState().isLeader).toBe(false);
    expect(rf.start("x")).toMatchObject({ isLeader: false });
    expect(
      rf.handleRpc("Raft.AppendEntries", { term: 5, leaderId: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 5, command: 1 }], leaderCommit: 1 }),
    ).toBeNull();
    rf.snapshot(1, new Uint8Array(1));
    expect(saves).toBe(savesBefore);
    expect(log.length).toBe(callsBefore);
    expect(applied).toEqual([]);
  });

  it("the service may call snapshot() from inside applyCh: nothing is reordered or lost", () => {
    const rt = fakeRuntime();
    const persister = new MemoryPersister();
    const applied: number[] = [];
    const rf = make(
      recordingEnds(3, []).ends,
      1,
      persister,
      (m) => {
        if (!m.commandValid) return;
        applied.push(m.commandIndex);
        if (m.commandIndex % 3 === 0) rf.snapshot(m.commandIndex, Uint8Array.from([m.commandIndex]));
      },
      rt,
    );
    const entries = Array.from({ length: 10 }, (_, i) => ({ term: 1, command: i + 1 }));
    rf.handleRpc("Raft.AppendEntries", { term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries, leaderCommit: 10 });
    expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(persister.readSnapshot()).toEqual(Uint8Array.from([9]));
  });

  it("createDebug writes dslogs-style Log events in the trace format, and costs nothing when tracing is off", () => {
    const events: TraceEvent[] = [];
    const rt = fakeRuntime((e) => events.push(e));
    rt.t = 42;
    const debug = createDebug(rt, 2, () => ({ term: 3, state: "candidate" }));
    expect(debug.enabled).toBe(true);
    debug("VOTE", "S2 asking for votes", { dst: 1 });
    expect(events).toEqual([{ t: 42, src: 2, term: 3, state: "candidate", op: "Log", topic: "VOTE", msg: "S2 asking for votes", dst: 1 }]);
    let asked = 0;
    const off = createDebug(fakeRuntime(null), 2, () => {
      asked++;
      return { term: 3, state: "leader" };
    });
    off("INFO", "x");
    expect(off.enabled).toBe(false);
    expect(asked).toBe(0);
  });

  it("restores from a persister at make(): a corrupt one fails with a clear message", () => {
    const p = new MemoryPersister();
    p.save(Uint8Array.from([1, 2, 3]), null);
    expect(() => make([], 0, p, () => {}, fakeRuntime())).toThrow(/make: me=0/);
    expect(() => make(recordingEnds(3, []).ends, 0, p, () => {}, fakeRuntime())).toThrow(/corrupt persisted Raft state \(3 bytes\): bad magic byte/);
  });

  it("realRuntime: wall-clock timers that can be cancelled, and a seeded random()", async () => {
    const a = realRuntime({ seed: 5 });
    const b = realRuntime({ seed: 5 });
    expect([a.random(), a.random()]).toEqual([b.random(), b.random()]);
    expect(a.trace).toBeNull();
    const fired: string[] = [];
    a.setTimer(5, () => fired.push("kept"));
    const cancel = a.setTimer(5, () => fired.push("cancelled"));
    cancel();
    const t0 = a.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual(["kept"]);
    expect(a.now() - t0).toBeGreaterThanOrEqual(20);
  });
});
