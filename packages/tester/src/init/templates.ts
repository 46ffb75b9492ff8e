// The files `raftlab init DIR` writes: a standalone TypeScript project with a Raft skeleton that
// compiles and loads under `raftlab run --impl`, and fails the lab tests honestly until it is written.
// They are string constants so they ship inside dist/ with no copy step.

/** What the templates need to know about this raftlab installation. */
export interface TemplateContext {
  /** The npm package name (from the folder name). */
  readonly name: string;
  /** The command that runs this raftlab's bin, shell-quoted: `node /abs/packages/tester/bin/raftlab.js`. */
  readonly raftlabCommand: string;
  /** The absolute bin path, as plain text (for the README). */
  readonly raftlabBin: string;
  /** The command that runs tsc, shell-quoted: `node /abs/node_modules/typescript/bin/tsc`, or `tsc`. */
  readonly tscCommand: string;
  /** Where that tsc is, as plain text, or null when raftlab has none and the PATH's `tsc` is used. */
  readonly tscPath: string | null;
  /** The command that runs this raftlab's logviz, shell-quoted, or `logviz` when it is not beside it. */
  readonly logvizCommand: string;
}

export function packageJson(ctx: TemplateContext): string {
  const pkg = {
    name: ctx.name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: "A Raft for the 6.5840 Lab 3 tests, run by raftlab",
    scripts: {
      build: `${ctx.tscCommand} -p .`,
      test: `${ctx.raftlabCommand} run 3A --impl dist/raft.js`,
      "test:all": `${ctx.raftlabCommand} run --impl dist/raft.js`,
    },
  };
  return JSON.stringify(pkg, null, 2) + "\n";
}

export const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noFallthroughCasesInSwitch": true,
    "forceConsistentCasingInFileNames": true,
    "skipLibCheck": true,
    "types": [],
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"]
}
`;

/** A console for debugging prints without @types/node (the tester shows what a Raft prints, escaped). */
export const CONSOLE_D_TS = `// Lets src/ call console.log without @types/node (tsconfig.json sets "types": [] so that the project
// builds offline). If you install @types/node and remove "types": [], delete this file.
declare var console: {
  log(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
`;

export const GITIGNORE = `dist/
node_modules/
`;

/** The lab interface, copied from raftlab's packages/raft/src/api.ts (types only: nothing at run time). */
export const TYPES_TS = `// The lab-style interface between a Raft and the raftlab tester, copied from raftlab's
// packages/raft/src/api.ts by \`raftlab init\` (types only: nothing here exists at run time, so the
// project needs no dependency on raftlab). It mirrors 6.5840's Go API, TypeScript-cased.

/** Plain data that can cross the (simulated) network or be persisted (what labgob can encode). */
export type Value =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly Value[]
  | { readonly [key: string]: Value };

/** A client command, as given to \`start()\`. */
export type Command = Value;

/** A committed command delivered to the service, in log order (ApplyMsg with CommandValid). */
export interface CommandApplyMsg {
  readonly commandValid: true;
  readonly command: Command;
  readonly commandIndex: number;
  readonly snapshotValid: false;
}

/** A snapshot the service must install (ApplyMsg with SnapshotValid, part 3D). */
export interface SnapshotApplyMsg {
  readonly commandValid: false;
  readonly snapshotValid: true;
  readonly snapshot: Uint8Array;
  readonly snapshotTerm: number;
  readonly snapshotIndex: number;
}

export type ApplyMsg = CommandApplyMsg | SnapshotApplyMsg;

/** Where committed entries go, in index order, exactly once. The tester may call \`snapshot()\` from inside it. */
export type ApplyCh = (msg: ApplyMsg) => void;

/** Out-of-band metadata an RPC carries for tracing; never counted as RPC bytes. */
export interface RpcMeta {
  readonly id?: string;
}

/**
 * One RPC end to another peer (labrpc ClientEnd). \`call\` resolves to the reply, or to \`null\` when the
 * request or the reply was lost or the peer is unreachable. It never rejects. Send to peers in parallel.
 */
export interface ClientEnd {
  call(method: string, args: Value, meta?: RpcMeta): Promise<Value | null>;
}

/** Stable storage. \`save\` stores both arrays atomically (\`null\`: no snapshot); reads return copies. */
export interface Persister {
  save(raftState: Uint8Array, snapshot: Uint8Array | null): void;
  readRaftState(): Uint8Array;
  readSnapshot(): Uint8Array;
  raftStateSize(): number;
  snapshotSize(): number;
}

/** Cancels a timer; cancelling twice, or after it fired, is harmless. */
export type CancelTimer = () => void;

/**
 * Time, timers and randomness, virtual in the tester. Use nothing else: no setTimeout, setInterval,
 * Date.now or Math.random, or runs stop being reproducible from their seed.
 */
export interface Runtime {
  /** Milliseconds since the cluster started (virtual time). */
  now(): number;
  /** Runs \`fn\` once, \`delayMs\` from now. */
  setTimer(delayMs: number, fn: () => void): CancelTimer;
  /** A float in [0, 1) from this peer's seeded generator. */
  random(): number;
  /** raftlab's trace sink, or null when tracing is off (its event type lives in raftlab's trace.ts). */
  readonly trace: unknown;
}

export interface StartResult {
  readonly index: number;
  readonly term: number;
  readonly isLeader: boolean;
}

export interface RaftState {
  readonly term: number;
  readonly isLeader: boolean;
}

/** A Raft peer: the service API (Start, GetState, Kill, Snapshot, PersistBytes) plus one RPC entry point. */
export interface RaftPeer {
  /** Proposes a command. Returns at once; must not throw after \`kill()\`. */
  start(command: Command): StartResult;
  /** Called often by the tester: keep it cheap and free of side effects. */
  getState(): RaftState;
  /** Stop: afterwards nothing reaches the network, the persister or applyCh; timers stop mattering. */
  kill(): void;
  /** The service has applied everything up to \`index\`; trim the log (part 3D). */
  snapshot(index: number, snapshot: Uint8Array): void;
  /** persister.raftStateSize(). */
  persistBytes(): number;
  /** The RPC entry point: dispatch on \`method\`, return the reply; \`null\` means no reply. */
  handleRpc(method: string, args: Value, meta?: RpcMeta): Value | Promise<Value>;
}

/** 6.5840's Make(peers, me, persister, applyCh), plus the runtime. Must return quickly. */
export type MakeRaft = (
  peers: readonly ClientEnd[],
  me: number,
  persister: Persister,
  applyCh: ApplyCh,
  runtime: Runtime,
) => RaftPeer;
`;

/** The skeleton: the shape of the lab's raft.go, with a TODO per section of the paper's Figure 2. */
export const RAFT_TS = `// A Raft for the 6.5840 Lab 3 tests, in the shape of the lab's raft.go. It compiles and loads as is,
// and fails the tests until you fill in the TODOs (it never elects a leader).
//
//   npm run build && npm test      # compile, then run raftlab's 3A tests on dist/raft.js
//
// The rules of the game: everything involving time or chance goes through \`this.runtime\` (no
// setTimeout, Date.now or Math.random), and RPC arguments and replies are plain data (Value).
// The section names below are those of Figure 2 of the extended Raft paper.

import type { ApplyCh, ClientEnd, Command, MakeRaft, Persister, RaftPeer, RaftState, Runtime, StartResult, Value } from "./types.js";

type Role = "follower" | "candidate" | "leader";

/** One log entry. Keep the field names: raftlab's invariant checks read \`term\` and \`command\`. */
interface LogEntry {
  term: number;
  command: Command;
}

// ---- Figure 2, "RequestVote RPC": arguments and results ----------------------------------------------
// Keep the conventional field names (and a top-level \`term\` in every request and reply) so that all of
// raftlab's invariant checks apply to your messages.
interface RequestVoteArgs {
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
}
interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}

// ---- Figure 2, "AppendEntries RPC": arguments and results --------------------------------------------
interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}
interface AppendEntriesReply {
  term: number;
  success: boolean;
}

class Raft implements RaftPeer {
  private dead = false;

  // ---- Figure 2, "State": persistent state on all servers (persist before answering an RPC) ------------
  private currentTerm = 0;
  private votedFor = -1;
  /** log[0] is a sentinel so that the first real entry has index 1, as in the paper. */
  private log: LogEntry[] = [{ term: 0, command: null }];

  // ---- Figure 2, "State": volatile state on all servers -------------------------------------------------
  private commitIndex = 0;
  private lastApplied = 0;
  private role: Role = "follower";

  // ---- Figure 2, "State": volatile state on leaders (reinitialised after election) ------------------------
  private nextIndex: number[] = [];
  private matchIndex: number[] = [];

  constructor(
    private readonly peers: readonly ClientEnd[],
    private readonly me: number,
    private readonly persister: Persister,
    private readonly applyCh: ApplyCh,
    private readonly runtime: Runtime,
  ) {
    this.readPersist(persister.readRaftState());
    this.ticker();
  }

  // ---- The service API --------------------------------------------------------------------------------

  /** GetState: the current term and whether this peer believes it is the leader. */
  getState(): RaftState {
    // TODO (3A): nothing to add once role and currentTerm are maintained.
    return { term: this.currentTerm, isLeader: this.role === "leader" };
  }

  /**
   * Start: if this peer is the leader, append \`command\` to its log and return at once (replication
   * happens in the background). Returns where the command will be if it is ever committed.
   */
  start(command: Command): StartResult {
    const index = this.log.length;
    const term = this.currentTerm;
    const isLeader = this.role === "leader" && !this.dead;
    // TODO (3B): as leader, append { term, command } to the log, persist, and start replicating it.
    void command;
    return { index, term, isLeader };
  }

  kill(): void {
    this.dead = true;
    // TODO: cancel your timers; after kill, send, persist and apply nothing.
  }

  /** Snapshot: the service has applied everything up to \`index\`; drop that prefix of the log. */
  snapshot(index: number, snapshot: Uint8Array): void {
    // TODO (3D): trim the log, remember the last included index and term, persist state + snapshot.
    void index;
    void snapshot;
  }

  persistBytes(): number {
    return this.persister.raftStateSize();
  }

  // ---- Figure 2, "Rules for Servers" ------------------------------------------------------------------
  // All servers: if commitIndex > lastApplied, apply log[lastApplied + 1] (below, applyCommitted).
  // All servers: a request or reply with term T > currentTerm: set currentTerm = T, become follower.
  // Followers: answer RPCs; if the election timeout passes without hearing from the current leader or
  //   granting a vote, become a candidate.
  // Candidates: increment currentTerm, vote for self, reset the election timer, send RequestVote to all
  //   others (in parallel); a majority of votes makes you leader; an AppendEntries from a new leader
  //   makes you a follower; an election timeout starts a new election.
  // Leaders: send heartbeats on election and then at most 10 per second; replicate new entries; advance
  //   commitIndex to N when a majority has matchIndex >= N and log[N].term == currentTerm.

  /** The lab's ticker: wakes every 50-350 ms (virtual) and decides whether to start an election. */
  private ticker(): void {
    if (this.dead) return;
    // TODO (3A): if this peer has not heard from a leader (or granted a vote) within the election
    // timeout, start an election: this.startElection().
    const pauseMs = 50 + Math.floor(this.runtime.random() * 300);
    this.runtime.setTimer(pauseMs, () => this.ticker());
  }

  private startElection(): void {
    // TODO (3A): become candidate, currentTerm++, vote for self, persist, and send RequestVote to every
    // other peer in parallel: this.peers[j]!.call("Raft.RequestVote", args). Each reply may be null (lost);
    // re-check your term and role after every await.
    void this.peers;
    void this.me;
  }

  /** Delivers log entries lastApplied+1 .. commitIndex to the service, in order, once each. */
  private applyCommitted(): void {
    while (!this.dead && this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      const entry = this.log[this.lastApplied];
      if (entry === undefined) break;
      this.applyCh({ commandValid: true, command: entry.command, commandIndex: this.lastApplied, snapshotValid: false });
    }
  }

  // ---- RPC handlers ----------------------------------------------------------------------------------

  handleRpc(method: string, args: Value): Value | Promise<Value> {
    if (this.dead) return null;
    switch (method) {
      case "Raft.RequestVote":
        return this.requestVote(args as unknown as RequestVoteArgs) as unknown as Value;
      case "Raft.AppendEntries":
        return this.appendEntries(args as unknown as AppendEntriesArgs) as unknown as Value;
      default:
        return null;
    }
  }

  /** Figure 2, "RequestVote RPC": receiver implementation. */
  private requestVote(args: RequestVoteArgs): RequestVoteReply {
    // TODO (3A): 1. reply false if args.term < currentTerm.
    //            2. if votedFor is -1 or candidateId, and the candidate's log is at least as up-to-date
    //               as yours (section 5.4.1), grant the vote, persist, and reset your election timer.
    void args;
    return { term: this.currentTerm, voteGranted: false };
  }

  /** Figure 2, "AppendEntries RPC": receiver implementation (a heartbeat has no entries). */
  private appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    // TODO (3A): 1. reply false if args.term < currentTerm; otherwise this is the leader: reset your
    //               election timer and become a follower.
    // TODO (3B): 2. reply false if the log has no entry at prevLogIndex whose term is prevLogTerm.
    //            3. if an existing entry conflicts with a new one (same index, different term), delete it
    //               and all that follow. 4. append any new entries not already in the log.
    //            5. if leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of last new
    //               entry), then this.applyCommitted().
    void args;
    this.applyCommitted();
    return { term: this.currentTerm, success: false };
  }

  // ---- Persistence (3C) -------------------------------------------------------------------------------

  /** Saves currentTerm, votedFor and log. Call it before replying to an RPC or sending what depends on them. */
  private persist(): void {
    // TODO (3C): encode { currentTerm, votedFor, log } (JSON is fine) and persister.save(bytes, snapshot).
    void this.nextIndex;
    void this.matchIndex;
  }

  /** Restores the state a previous incarnation persisted (an empty array: nothing was saved). */
  private readPersist(data: Uint8Array): void {
    if (data.length === 0) return;
    // TODO (3C): decode what persist() saved into currentTerm, votedFor and log.
    void this.persist;
  }
}

/** 6.5840's Make: the tester calls it once per server start and again after every crash. */
export const make: MakeRaft = (peers, me, persister, applyCh, runtime) => new Raft(peers, me, persister, applyCh, runtime);
`;

export function readme(ctx: TemplateContext): string {
  const tsc =
    ctx.tscPath !== null
      ? `\`npm run build\` runs the TypeScript compiler that ships with the raftlab that created this project,
so building needs no network:

    ${ctx.tscPath}

To use your own instead, \`npm install --save-dev typescript\` and change the \`build\` script to
\`tsc -p .\`.`
      : `\`npm run build\` runs \`tsc\` from your PATH: the raftlab that created this project has no TypeScript of its
own. Install one with \`npm install --save-dev typescript\` (or globally).`;
  return `# ${ctx.name}: a Raft for the 6.5840 Lab 3 tests

Created by \`raftlab init\`. \`src/raft.ts\` is a skeleton in the shape of the lab's \`raft.go\`, with a TODO
for each part of Figure 2 of the Raft paper; \`src/types.ts\` is the lab interface it implements (types
only, copied from raftlab's \`packages/raft/src/api.ts\`); \`src/console.d.ts\` lets you \`console.log\`
without \`@types/node\` (the tester shows what your Raft prints).

## Next steps

\`\`\`
npm run build       # compile src/ to dist/
npm test            # run the 3A tests on dist/raft.js
\`\`\`

Out of the box the tests fail, honestly: the skeleton never elects a leader, so you will see lines such
as \`--- FAIL: TestInitialElection3A\` with \`expected one leader, got none\`, and exit code 1. Fill in the
TODOs (3A: elections and heartbeats), build, and test again. Then the other parts:

\`\`\`
${ctx.raftlabCommand} run 3B --impl dist/raft.js
${ctx.raftlabCommand} run --impl dist/raft.js                    # all 28 tests (npm run test:all)
${ctx.raftlabCommand} batch 3A -n 100 --impl dist/raft.js        # 100 seeds of each 3A test
${ctx.raftlabCommand} conform --impl dist/raft.js                # Figure 2, one RPC at a time
${ctx.raftlabCommand} run TestInitialElection3A --seed 7 --impl dist/raft.js --trace | ${ctx.logvizCommand}
\`\`\`

## Where raftlab is

raftlab is not published on npm, so the scripts call the raftlab that ran \`raftlab init\` by its absolute
path:

    ${ctx.raftlabBin}

If you move or rebuild that checkout elsewhere, edit the \`test\` scripts in \`package.json\` (or run
\`raftlab init\` again into an empty folder and copy your \`src/\` over).

${tsc}

## The rules

Everything involving time or chance goes through \`runtime\` (\`runtime.now()\`, \`runtime.setTimer()\`,
\`runtime.random()\`): no \`setTimeout\`, \`setInterval\`, \`Date.now\` or \`Math.random\`, since the tester
runs in virtual time and replays a run exactly from its seed. RPC arguments and replies must be plain
data. Send to peers in parallel, and re-check your term and role after every \`await\`. The full
contract is raftlab's docs/bring-your-own-raft.md.
`;
}
