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

function sameBytes(a: unknown, b: Uint8Array): boolean {
  return (
    a instanceof Uint8Array &&
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
  );
}

export class MemoryPersister implements Persister {
  private state: Uint8Array = EMPTY;
  private snap: Uint8Array = EMPTY;

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    // Both are checked before either is stored, so a bad call leaves the old pair intact (atomicity).
    const state = bytes("raftState", raftState);
    if (snapshot === null || snapshot === undefined) this.snap = EMPTY;
    // Most saves re-store the snapshot unchanged with new Raft state; comparing (a memcmp) is much
    // cheaper than copying it again, and what is stored is the same either way.
    else if (!sameBytes(snapshot, this.snap)) this.snap = bytes("snapshot", snapshot);
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
