// The pure Raft core: no timers, no I/O, no clocks, no global randomness. See node.ts for the step
// function and types.ts for its inputs and effects.
export { RaftCore, type StoredState } from "./node.js";
export { CorruptStateError, decodeState, encodeState, type PersistedState } from "./persist.js";
export { InvariantError, assert } from "./assert.js";
export { RaftLog } from "./log.js";
export * from "./messages.js";
export * from "./types.js";
