// makeRaft's options: bad timing or bounds are refused with a one-line message, not a misbehaving Raft.
import { describe, expect, it } from "vitest";
import { makeRaft } from "../src/index.js";

describe("makeRaft options", () => {
  it("rejects bad timing options with a clear message", () => {
    expect(() => makeRaft({ heartbeatMs: 0 })).toThrow(/heartbeatMs must be a positive integer/);
    expect(() => makeRaft({ maxEntriesPerAppend: 1.5 })).toThrow(/maxEntriesPerAppend must be a positive integer/);
    expect(() => makeRaft({ electionTimeoutMinMs: 500, electionTimeoutMaxMs: 400 })).toThrow(/must exceed/);
  });
});
