// Test doubles: Rafts that misbehave in one precise way, to check that the harness notices.

import { make as ourMake, type ApplyCh, type ApplyMsg, type MakeRaft, type RaftPeer } from "@raftlab/raft";

// @ts-expect-error: a plain-JS fixture without type declarations (the CLI tests load it as --impl).
import { inertPeer as inertPeerJs } from "./fixtures/never-commits.mjs";

const inert = inertPeerJs as (leader: boolean) => RaftPeer;

/** A peer that never becomes leader and never applies anything. */
export const neverElects: MakeRaft = () => inert(false);

/** Peer 0 always claims to lead term 1 and accepts every Start(), but nothing is ever committed. */
export const neverCommits: MakeRaft = (_peers, me) => inert(me === 0);

/** Our Raft, with the service's view of the apply channel rewritten by `rewrite`. */
export function withApplies(rewrite: (me: number, msg: ApplyMsg) => ApplyMsg): MakeRaft {
  return (peers, me, persister, applyCh, runtime) => ourMake(peers, me, persister, (m) => applyCh(rewrite(me, m)), runtime);
}

/** Our Raft, but every ApplyMsg reaches the service `delayMs` late (in order). */
export function slowApplies(delayMs: number): MakeRaft {
  return (peers, me, persister, applyCh: ApplyCh, runtime) => {
    const queue: { due: number; msg: ApplyMsg }[] = [];
    let armed = false;
    const pump = (): void => {
      armed = false;
      while (queue.length > 0 && (queue[0] as { due: number }).due <= runtime.now()) applyCh((queue.shift() as { msg: ApplyMsg }).msg);
      arm();
    };
    const arm = (): void => {
      const head = queue[0];
      if (armed || head === undefined) return;
      armed = true;
      runtime.setTimer(head.due - runtime.now(), pump);
    };
    return ourMake(
      peers,
      me,
      persister,
      (msg) => {
        queue.push({ due: runtime.now() + delayMs, msg });
        arm();
      },
      runtime,
    );
  };
}

/** Our Raft, except that snapshot() is ignored: the log is never trimmed. */
export const ignoresSnapshots: MakeRaft = (peers, me, persister, applyCh, runtime) => {
  const rf = ourMake(peers, me, persister, applyCh, runtime);
  return { ...bind(rf), snapshot: () => {} };
};

/** Our Raft, except that its RPC handler throws on the first AppendEntries it receives. */
export const throwsInHandler: MakeRaft = (peers, me, persister, applyCh, runtime) => {
  const rf = ourMake(peers, me, persister, applyCh, runtime);
  return {
    ...bind(rf),
    handleRpc: (method, args, meta) => {
      if (method.includes("AppendEntries")) throw new TypeError("cannot read properties of undefined (reading 'term')");
      return rf.handleRpc(method, args, meta);
    },
  };
};

function bind(rf: RaftPeer): RaftPeer {
  return {
    start: (c) => rf.start(c),
    getState: () => rf.getState(),
    kill: () => rf.kill(),
    snapshot: (i, s) => rf.snapshot(i, s),
    persistBytes: () => rf.persistBytes(),
    handleRpc: (m, a, meta) => rf.handleRpc(m, a, meta),
  };
}
