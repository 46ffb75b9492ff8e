// The `@raftlab/raft/trace` entry point: what a reader of traces needs and nothing of the Raft itself.
// logviz imports only this, so a viewer never loads (or rebuilds against) the core and its driver:
// - the trace schema (event shape, opcodes, topics, HARNESS) and its JSON-lines serialiser;
// - escaping of untrusted text for the terminal (the one shared definition of "unsafe");
// - the seeded generator, so that synthetic traces are a function of their seed like real runs;
// - the schedule file's format (a run's recorded decisions), so a viewer can mark the faults it caused.
// None of these modules imports anything else of the package.

export * from "./trace.js";
export { escapeControls, escapeLine, hasControls, type EscapeOptions } from "./escape.js";
export { createPrng, type Prng } from "./prng.js";
export * from "./schedule-format.js";
