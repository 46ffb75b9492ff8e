// The files `raftlab init DIR` writes: a standalone TypeScript project with a Raft skeleton that
// compiles and loads under `raftlab run --impl`, and fails the lab tests honestly until it is written.
// They are string constants so they ship inside dist/ with no copy step.

/** The versions of the tools a project builds with (those raftlab itself is built and tested with). */
export const TYPESCRIPT_RANGE = "~5.9.3";
export const TYPES_NODE_RANGE = "^20.19.0";

/** What the templates need to know: the project's name and raftlab's packages, vendored as tarballs. */
export interface TemplateContext {
  /** The npm package name (from the folder name). */
  readonly name: string;
  /** The tarballs in vendor/, relative to the project: vendor/raftlab-raft-0.1.0.tgz etc. */
  readonly vendored: { readonly raft: string; readonly tester: string; readonly logviz: string };
}

export { LAB_TYPES_TS as TYPES_TS } from "./lab-types.generated.js";

export function packageJson(ctx: TemplateContext): string {
  const file = (rel: string): string => `file:${rel}`;
  const pkg = {
    name: ctx.name,
    version: "0.1.0",
    private: true,
    type: "module",
    description: "A Raft for the 6.5840 Lab 3 tests, run by raftlab",
    scripts: {
      build: "tsc -p .",
      test: "raftlab run 3A --impl dist/raft.js",
      "test:all": "raftlab run --impl dist/raft.js",
    },
    engines: { node: ">=20" },
    dependencies: { "@raftlab/raft": file(ctx.vendored.raft) },
    devDependencies: {
      "@raftlab/logviz": file(ctx.vendored.logviz),
      "@raftlab/tester": file(ctx.vendored.tester),
      "@types/node": TYPES_NODE_RANGE,
      typescript: TYPESCRIPT_RANGE,
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
    "types": ["node"],
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"]
}
`;

export const GITIGNORE = `dist/
node_modules/
raftlab-out/
`;

/** The skeleton: the shape of the lab's raft.go, with a TODO per section of the paper's Figure 2. */
export const RAFT_TS = `// A Raft for the 6.5840 Lab 3 tests, in the shape of the lab's raft.go. It compiles and loads as is,
// and fails the tests until you fill in the TODOs (it never elects a leader).
//
//   npm run build && npm test      # compile, then run raftlab's 3A tests on dist/raft.js
//
// The rules of the game: everything involving time or chance goes through \`this.runtime\` (no
// setTimeout, Date.now or Math.random), and RPC arguments and replies are plain data (Value).
// The section names below are those of Figure 2 of the extended Raft paper. Persistence is part 3C:
// until then persist() may stay a TODO, and raftlab only counts a warning ("would forget its term on a
// crash; required from 3C") in the 3A and 3B tests (--strict makes it a failure); from 3C it fails.

import { createDebug, type Debug } from "@raftlab/raft";
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

  // ---- Figure 2, "State": persistent state on all servers (from 3C: persist before answering an RPC) ----
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

  /**
   * Debug prints in the trace, in this peer's column of logviz (\`raftlab run ... --trace | logviz\`);
   * free when tracing is off. For example: this.debug("VOTE", \`S\${this.me} votes for S\${c}\`).
   */
  private readonly debug: Debug;

  constructor(
    private readonly peers: readonly ClientEnd[],
    private readonly me: number,
    private readonly persister: Persister,
    private readonly applyCh: ApplyCh,
    private readonly runtime: Runtime,
  ) {
    this.debug = createDebug(runtime, me, () => ({ term: this.currentTerm, state: this.role }));
    this.readPersist(persister.readRaftState());
    this.debug("INFO", \`S\${me} started in T\${this.currentTerm}\`);
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

  // ---- Persistence (3C; in 3A and 3B a missing persist is only a counted warning) -----------------------

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
  return `# ${ctx.name}: a Raft for the 6.5840 Lab 3 tests

Created by \`raftlab init\`. \`src/raft.ts\` is a skeleton in the shape of the lab's \`raft.go\`, with a TODO
for each part of Figure 2 of the Raft paper; \`src/types.ts\` is the lab interface it implements (types
only: a copy of \`@raftlab/raft\`'s \`api.ts\`, which exports the same types).

## Next steps

\`\`\`
npm install         # raftlab's packages from vendor/, TypeScript and @types/node from the registry
npm run build       # compile src/ to dist/
npm test            # run the 3A tests on dist/raft.js
\`\`\`

Out of the box the tests fail, honestly: the skeleton never elects a leader, so you will see lines such
as \`--- FAIL: TestInitialElection3A\` with \`expected one leader, got none\`, and exit code 1. Fill in the
TODOs (3A: elections and heartbeats), build, and test again. Then the other parts:

\`\`\`
npx raftlab run 3B --impl dist/raft.js
npx raftlab run --impl dist/raft.js                    # all 28 tests (npm run test:all)
npx raftlab batch 3A -n 100 --impl dist/raft.js        # 100 seeds of each 3A test
npx raftlab conform --impl dist/raft.js                # Figure 2, one RPC at a time
npx raftlab run TestInitialElection3A --seed 7 --impl dist/raft.js --trace | npx logviz
\`\`\`

Inside this project raftlab and logviz are local commands: \`npx raftlab\`, \`npx logviz\` (plain
\`raftlab\` inside \`npm run\` scripts). The replay lines raftlab prints for a failure start with
\`npx raftlab\` here, so they paste as they are. Batch and stress results go to \`raftlab-out/\`
(ignored by git).

## Persistence comes in 3C

As in the lab, \`persist()\` may stay a TODO through 3A and 3B: raftlab then passes those tests and counts
a warning, \`Persist Before Reply: S1 would forget its term on a crash; required from 3C\`, and \`--strict\`
makes it a failure. From 3C on a missing persist fails the test.

## Debug prints

\`this.debug(topic, message)\` (\`createDebug\` from \`@raftlab/raft\`) writes a line to the trace in the
peer's column of logviz, with its term and role; it costs nothing when tracing is off.

## raftlab's packages

\`raftlab init\` put raftlab's three packages in \`vendor/\` as npm tarballs (\`${ctx.vendored.raft}\`,
\`${ctx.vendored.tester}\`, \`${ctx.vendored.logviz}\`), and \`package.json\` depends on them with
\`file:\` specs. Commit \`vendor/\`: the project needs nothing else from the raftlab that created it. To
upgrade, run a newer \`raftlab init\` into an empty folder and copy its \`vendor/\` and \`package.json\`
dependencies over.

## The rules

Everything involving time or chance goes through \`runtime\` (\`runtime.now()\`, \`runtime.setTimer()\`,
\`runtime.random()\`): no \`setTimeout\`, \`setInterval\`, \`Date.now\` or \`Math.random\`, since the tester
runs in virtual time and replays a run exactly from its seed. RPC arguments and replies must be plain
data. Send to peers in parallel, and re-check your term and role after every \`await\`. The full
contract is raftlab's docs/bring-your-own-raft.md.
`;
}
