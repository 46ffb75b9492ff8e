export * from "./api.js";
export * from "./trace.js";
export * from "./prng.js";
export * from "./codec.js";
export { escapeControls, escapeLine, hasControls, type EscapeOptions } from "./escape.js";
export { make, makeRaft, DEFAULT_TIMING, type MakeRaftOptions } from "./driver/raft.js";
export { realRuntime, type RealRuntimeOptions } from "./driver/runtime.js";
export { createDebug, type Debug, type DebugState } from "./driver/debug.js";
export { MemoryPersister } from "./driver/persister.js";
export { Cluster, type ClusterOptions } from "./driver/cluster.js";
export { VirtualClock, wallClock, type Clock } from "./driver/clock.js";
export {
  RaftCore,
  CorruptStateError,
  decodeState,
  type PersistedState,
  InvariantError,
  type CoreConfig,
  type Input as CoreInput,
  type StepOutput,
  type OutRequest,
  type StoredState,
  type Entry,
  RPC_REQUEST_VOTE,
  RPC_APPEND_ENTRIES,
  RPC_INSTALL_SNAPSHOT,
  type RequestVoteArgs,
  type RequestVoteReply,
  type AppendEntriesArgs,
  type AppendEntriesReply,
  type InstallSnapshotArgs,
  type InstallSnapshotReply,
} from "./core/index.js";
