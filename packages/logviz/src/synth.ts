// A generator of realistic synthetic traces (elections, replication, faults, test boundaries) in the
// JSON-lines format of packages/raft/src/trace.ts. Used by the tests and the benchmark until, and
// alongside, real traces from `raftlab run --trace`. Deterministic for a given seed.
import { createPrng, type Prng, type TraceEvent, type Role } from "@raftlab/raft/trace";

export interface SynthOptions {
  readonly lines: number;
  readonly peers?: number;
  readonly seed?: number;
  /** Lines per test (a new TestBegin after about this many). */
  readonly testLength?: number;
}

const TEST_NAMES = ["InitialElection3A", "ReElection3A", "BasicAgree3B", "FailAgree3B", "Figure8Unreliable3C", "SnapshotBasic3D"];

/** Yields trace events as JSON lines (no newline). */
export function* synthTrace(opts: SynthOptions): Generator<string> {
  const n = opts.peers ?? 3;
  const rng = createPrng(opts.seed ?? 1);
  const testLength = opts.testLength ?? 20000;
  let emitted = 0;
  let testNo = 0;
  const out: string[] = [];
  const emit = (e: TraceEvent): void => {
    out.push(JSON.stringify(e));
  };
  while (emitted < opts.lines) {
    const name = TEST_NAMES[testNo % TEST_NAMES.length] as string;
    const failing = testNo % TEST_NAMES.length === 4;
    testNo++;
    // The last test takes the remainder (so no test is a stub of a few lines).
    const remaining = opts.lines - emitted;
    const size = remaining - testLength < 50 ? remaining : testLength;
    const sim = new Sim(n, rng, emit);
    emit({ t: 0, src: -1, term: -1, state: "none", op: "TestBegin", topic: "TEST", msg: `Test ${name} begins (seed ${testNo})`, test: name, seed: testNo });
    const tail = failing ? 2 : 1;
    while (out.length < size - tail) sim.step();
    out.length = Math.max(1, size - tail);
    if (size > 1) {
      if (failing) {
        emit({
          t: sim.t,
          src: -1,
          term: -1,
          state: "none",
          op: "Violation",
          topic: "ERRO",
          msg: "two leaders in term " + sim.term,
          reason: "election safety",
          peer: 0,
        });
      }
      emit({
        t: sim.t,
        src: -1,
        term: -1,
        state: "none",
        op: "TestEnd",
        topic: "TEST",
        msg: `Test ${name} ${failing ? "FAILED" : "passed"}`,
        test: name,
        ok: !failing,
      });
    }
    for (const l of out.splice(0, out.length)) {
      emitted++;
      yield l;
    }
  }
}

/** Generates the whole trace as one string with newlines. */
export function synthTraceText(opts: SynthOptions): string {
  const parts: string[] = [];
  for (const l of synthTrace(opts)) parts.push(l);
  return parts.join("\n") + "\n";
}

class Sim {
  t = 0;
  term = 0;
  leader = -1;
  nextId = 1;
  logLen = 0;
  commit = 0;
  roles: Role[];
  terms: number[];
  crashed: boolean[];
  cut: boolean[];
  constructor(
    private readonly n: number,
    private readonly rng: Prng,
    private readonly emit: (e: TraceEvent) => void,
  ) {
    this.roles = Array.from({ length: n }, () => "follower" as Role);
    this.terms = Array.from({ length: n }, () => 0);
    this.crashed = Array.from({ length: n }, () => false);
    this.cut = Array.from({ length: n }, () => false);
  }

  private tick(max = 3): number {
    this.t = Math.round((this.t + this.rng.next() * max) * 10) / 10;
    return this.t;
  }

  private ev(src: number, op: TraceEvent["op"], topic: TraceEvent["topic"], msg: string, extra: Partial<TraceEvent> = {}): void {
    this.emit({ t: this.tick(), src, term: this.terms[src] ?? 0, state: this.roles[src] ?? "follower", op, topic, msg, ...extra });
  }

  private harness(op: TraceEvent["op"], msg: string, extra: Partial<TraceEvent> = {}): void {
    this.emit({ t: this.tick(), src: -1, term: -1, state: "none", op, topic: "TEST", msg, ...extra });
  }

  private alive(p: number): boolean {
    return !this.crashed[p] && !this.cut[p];
  }

  step(): void {
    if (this.leader < 0 || !this.alive(this.leader)) return this.election();
    const r = this.rng.next();
    if (r < 0.004) {
      // A follower misses heartbeats and starts an election: a new term.
      this.leader = -1;
      return this.election();
    }
    if (r < 0.03) return this.fault();
    if (r < 0.2) this.start();
    this.heartbeat();
  }

  private fault(): void {
    const p = this.rng.int(this.n);
    const k = this.rng.int(4);
    if (k === 0) {
      this.crashed[p] = true;
      this.harness("Crash", `crash S${p}`, { peer: p });
    } else if (k === 1) {
      for (let q = 0; q < this.n; q++) {
        if (this.crashed[q]) {
          this.crashed[q] = false;
          this.roles[q] = "follower";
          this.harness("Restart", `restart S${q}`, { peer: q });
          this.ev(q, "Restore", "PERS", `restored term ${this.terms[q]} log ${this.logLen}`);
        }
      }
    } else if (k === 2) {
      this.cut[p] = !this.cut[p];
      this.harness(this.cut[p] ? "Disconnect" : "Connect", `${this.cut[p] ? "disconnect" : "connect"} S${p}`, { peer: p });
    } else {
      this.harness(this.rng.int(2) === 0 ? "NetUnreliable" : "NetReliable", "network mode changed");
    }
  }

  private election(): void {
    const live = [...Array(this.n).keys()].filter((p) => this.alive(p));
    if (live.length * 2 <= this.n) {
      // No majority: the tester heals one fault, as the lab tests do before checking for a leader.
      const p = [...Array(this.n).keys()].find((q) => !this.alive(q)) ?? 0;
      if (this.crashed[p]) {
        this.crashed[p] = false;
        this.roles[p] = "follower";
        this.harness("Restart", `restart S${p}`, { peer: p });
      } else {
        this.cut[p] = false;
        this.harness("Connect", `connect S${p}`, { peer: p });
      }
      return;
    }
    const c = live[this.rng.int(live.length)] as number;
    this.ev(c, "ElectionTimeout", "TIMR", "election timeout");
    this.terms[c] = Math.max(...this.terms) + 1;
    this.roles[c] = "candidate";
    this.ev(c, "BecomeCandidate", "TERM", `converting to candidate, T${this.terms[c]}`);
    this.ev(c, "Persist", "PERS", `persist term ${this.terms[c]} vote S${c}`);
    let votes = 1;
    for (let p = 0; p < this.n; p++) {
      if (p === c) continue;
      const id = `${c}-${this.nextId++}`;
      const mterm = this.terms[c] as number;
      this.ev(c, "RequestVote", "VOTE", `S${c} -> S${p} RequestVote T${mterm} last (${this.logLen},${this.term})`, {
        dst: p,
        from: c,
        id,
        dir: "send",
        mterm,
        lastLogIndex: this.logLen,
        lastLogTerm: this.term,
      });
      if (!this.alive(p) || this.rng.next() < 0.05) {
        this.harness("MsgLost", `RequestVote S${c} -> S${p} lost`, { dst: p, from: c, id, mterm, reason: this.alive(p) ? "unreliable" : "disconnected" });
        continue;
      }
      this.terms[p] = mterm;
      this.roles[p] = "follower";
      this.ev(p, "RequestVote", "VOTE", `S${p} <- S${c} RequestVote T${mterm}`, { dst: p, from: c, id, dir: "recv", mterm });
      const granted = this.rng.next() < 0.9;
      this.ev(p, "RequestVoteReply", "VOTE", `S${p} -> S${c} ${granted ? "grant" : "deny"} vote T${mterm}`, {
        dst: c,
        from: p,
        id,
        dir: "send",
        mterm,
        voteGranted: granted,
      });
      this.ev(c, "RequestVoteReply", "VOTE", `S${c} <- S${p} vote ${granted ? "granted" : "denied"}`, {
        dst: c,
        from: p,
        id,
        dir: "recv",
        mterm,
        voteGranted: granted,
      });
      if (granted) votes++;
    }
    if (votes * 2 > this.n) {
      this.roles[c] = "leader";
      this.term = this.terms[c] as number;
      this.leader = c;
      this.ev(c, "BecomeLeader", "LEAD", `achieved majority for T${this.term} (${votes}), converting to leader`);
    } else {
      this.roles[c] = "follower";
      this.ev(c, "BecomeFollower", "TERM", `lost election T${this.terms[c]}`);
    }
  }

  private start(): void {
    const l = this.leader;
    this.logLen++;
    this.ev(l, "Start", "CLNT", `start command ${this.rng.int(10000)} at index ${this.logLen}`, { index: this.logLen });
    this.ev(l, "Persist", "PERS", `persist log len ${this.logLen}`);
  }

  private heartbeat(): void {
    const l = this.leader;
    const mterm = this.terms[l] as number;
    let acks = 1;
    for (let p = 0; p < this.n; p++) {
      if (p === l) continue;
      const id = `${l}-${this.nextId++}`;
      const first = this.commit + 1;
      const entries = this.logLen >= first;
      const fields = {
        dst: p,
        from: l,
        id,
        mterm,
        prevLogIndex: this.commit,
        prevLogTerm: this.term,
        leaderCommit: this.commit,
        ...(entries ? { first, last: this.logLen } : {}),
      };
      const topic = entries ? "LOG1" : "TIMR";
      this.ev(
        l,
        "AppendEntries",
        topic,
        `S${l} -> S${p} AE prev (${this.commit},${this.term}) ${entries ? `[${first}..${this.logLen}]` : "heartbeat"} lc ${this.commit}`,
        { ...fields, dir: "send" },
      );
      if (!this.alive(p) || this.rng.next() < 0.03) {
        this.harness("MsgLost", `AppendEntries S${l} -> S${p} lost`, { dst: p, from: l, id, mterm, reason: this.alive(p) ? "unreliable" : "disconnected" });
        continue;
      }
      this.terms[p] = mterm;
      this.roles[p] = "follower";
      this.ev(p, "AppendEntries", topic, `S${p} <- S${l} AE ${entries ? `[${first}..${this.logLen}]` : "heartbeat"}`, { ...fields, dir: "recv" });
      this.ev(p, "AppendEntriesReply", "LOG2", `S${p} -> S${l} ok len ${this.logLen}`, {
        dst: l,
        from: p,
        id,
        dir: "send",
        mterm,
        success: true,
        xLen: this.logLen,
      });
      this.ev(l, "AppendEntriesReply", "LOG2", `S${l} <- S${p} ok`, { dst: l, from: p, id, dir: "recv", mterm, success: true });
      acks++;
    }
    if (acks * 2 > this.n && this.commit < this.logLen) {
      this.commit = this.logLen;
      this.ev(l, "Commit", "CMIT", `commit index ${this.commit}`, { index: this.commit });
      for (let p = 0; p < this.n; p++) if (this.alive(p)) this.ev(p, "Apply", "APLY", `apply ${this.commit}`, { index: this.commit });
    }
  }
}
