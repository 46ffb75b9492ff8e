// Stable storage for one server (labrpc's Persister). `save` stores both blobs atomically; reads
// return copies, so neither side can change the other's bytes. `copy` is what a crash uses: the
// restarted server gets a copy, and the zombie keeps the old object, which nobody reads again.

import type { Persister } from "@raftlab/raft";

const EMPTY = new Uint8Array(0);

function bytes(what: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`persister.save: ${what} must be a Uint8Array`);
  return v.slice();
}

export class SimPersister implements Persister {
  private state: Uint8Array = EMPTY;
  private snap: Uint8Array = EMPTY;

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    const state = bytes("raftState", raftState);
    this.snap = snapshot === null || snapshot === undefined ? EMPTY : bytes("snapshot", snapshot);
    this.state = state;
  }
  readRaftState(): Uint8Array {
    return this.state.slice();
  }
  readSnapshot(): Uint8Array {
    return this.snap.slice();
  }
  raftStateSize(): number {
    return this.state.length;
  }
  snapshotSize(): number {
    return this.snap.length;
  }
  copy(): SimPersister {
    const p = new SimPersister();
    p.state = this.state;
    p.snap = this.snap;
    return p;
  }
}
