// An in-memory Persister with labrpc semantics: atomic save of state and snapshot (save copies what it
// is given, so the caller may reuse its arrays), copies on read, and copy() for crash/restart (the
// restarted peer gets a copy, so a zombie's writes go nowhere).
// The tester uses this same class for its simulated servers.

import type { Persister } from "../api.js";

const EMPTY = new Uint8Array(0);

/** A one-line TypeError unless `v` is bytes: a JavaScript Raft may pass anything. */
function check(what: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`persister.save: ${what} must be a Uint8Array`);
}

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  // Short arrays (most snapshots in the lab are tens of bytes): a loop, without two Buffer wrappers.
  if (a.length <= 64) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Below this, a state buffer is not shrunk (allocating is what a persist must avoid). */
const KEEP_BYTES = 64 * 1024;

export class MemoryPersister implements Persister {
  /**
   * The Raft state is state[0, stateLength). The buffer is this persister's own and reused across
   * saves: a save copies the new state in (a memcpy) and allocates only when the state outgrows it.
   * Allocating a fresh array per save cost more than the copy itself (V8 zeroes and tracks every
   * off-heap buffer), and Raft saves after nearly every step.
   */
  private state: Uint8Array = EMPTY;
  private stateLength = 0;
  private snap: Uint8Array = EMPTY;

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    // Both are checked before either is stored, so a bad call leaves the old pair intact (atomicity).
    check("raftState", raftState);
    if (snapshot !== null && snapshot !== undefined) check("snapshot", snapshot);
    if (snapshot === null || snapshot === undefined) this.snap = EMPTY;
    // Most saves re-store the snapshot unchanged with new Raft state; comparing (a memcmp) is much
    // cheaper than copying it again, and what is stored is the same either way.
    else if (!sameBytes(snapshot, this.snap)) this.snap = snapshot.slice();
    const n = raftState.length;
    if (n > this.state.length || (this.state.length > KEEP_BYTES && n < this.state.length / 4)) {
      this.state = new Uint8Array(Math.max(256, n + (n >>> 1)));
    }
    this.state.set(raftState);
    this.stateLength = n;
  }
  readRaftState(): Uint8Array {
    return this.state.slice(0, this.stateLength);
  }
  readSnapshot(): Uint8Array {
    return this.snap.slice();
  }
  raftStateSize(): number {
    return this.stateLength;
  }
  snapshotSize(): number {
    return this.snap.length;
  }
  /** A new persister holding a copy of the current contents (the snapshot, never mutated, is shared). */
  copy(): MemoryPersister {
    const p = new MemoryPersister();
    p.state = this.readRaftState();
    p.stateLength = this.stateLength;
    p.snap = this.snap;
    return p;
  }
}
