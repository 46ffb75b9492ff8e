export * from "./api.js";
export * from "./trace.js";
export * from "./prng.js";
export * from "./codec.js";
