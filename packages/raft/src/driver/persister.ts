// An in-memory Persister with labrpc semantics: atomic save of state and snapshot, copies on read,
// and copy() for crash/restart (the restarted peer gets a copy, so a zombie's writes go nowhere).

import type { Persister } from "../api.js";

export class MemoryPersister implements Persister {
  private state: Uint8Array = new Uint8Array(0);
  private snap: Uint8Array = new Uint8Array(0);

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    this.state = raftState.slice();
    this.snap = snapshot === null ? new Uint8Array(0) : snapshot.slice();
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
  copy(): MemoryPersister {
    const p = new MemoryPersister();
    p.state = this.state;
    p.snap = this.snap;
    return p;
  }
}
