// Stable storage for one simulated server is labrpc's Persister, which @raftlab/raft already
// provides as MemoryPersister: atomic save, copies on read, and copy() for a crash (the restarted
// server gets a copy; the zombie keeps the old object, which nobody reads again).
export { MemoryPersister as SimPersister } from "@raftlab/raft";
