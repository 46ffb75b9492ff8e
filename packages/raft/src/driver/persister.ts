// An in-memory Persister with labrpc semantics: atomic save of state and snapshot, copies on read,
// and copy() for crash/restart (the restarted peer gets a copy, so a zombie's writes go nowhere).
// The tester uses this same class for its simulated servers.

import type { Persister } from "../api.js";

const EMPTY = new Uint8Array(0);

/** A copy of `v`, or a one-line TypeError: a JavaScript Raft may pass anything. */
function bytes(what: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`persister.save: ${what} must be a Uint8Array`);
  return v.slice();
}

export class MemoryPersister implements Persister {
  private state: Uint8Array = EMPTY;
  private snap: Uint8Array = EMPTY;

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    // Both are checked before either is stored, so a bad call leaves the old pair intact (atomicity).
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
  /** A new persister holding the current contents (stored blobs are never mutated, so sharing is safe). */
  copy(): MemoryPersister {
    const p = new MemoryPersister();
    p.state = this.state;
    p.snap = this.snap;
    return p;
  }
}
