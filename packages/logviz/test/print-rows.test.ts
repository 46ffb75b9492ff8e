// Issue 18 §3: the tester's Print rows (a student's console.log lines, docs/trace-format.md) land in
// the printing peer's column, with the topic, term and role their dslogs text gives.
import { describe, expect, it } from "vitest";
import { Kind, RoleId } from "../src/store.js";
import { storeOf } from "./helpers.js";

const print = (t: number, src: number, msg: string, topic = "INFO"): string => JSON.stringify({ t, src, term: -1, state: "none", op: "Print", topic, msg });

describe("Print rows", () => {
  it("take topic, term and role from dslogs text, in the tester's peer column", () => {
    const store = storeOf(
      [
        print(0, 1, "000000 INFO S1 Follower@T0: restored persistent state"),
        print(329, 2, "003290 ELEC S2 Candidate@T3: starting election"),
        print(330, 0, "003300 VOTE S0 Leader@T4: won", "VOTE"),
        print(331, -1, "not dslogs at all"),
      ].join("\n"),
    );
    expect(store.length).toBe(4);
    expect([store.src[0], store.term[0], store.role[0]]).toEqual([1, 0, RoleId.Follower]);
    expect(store.textAt(0)).toBe("Follower@T0: restored persistent state");
    expect(store.topics.name(store.topic[1] as number)).toBe("ELEC");
    expect([store.src[1], store.term[1], store.role[1]]).toEqual([2, 3, RoleId.Candidate]);
    expect([store.src[2], store.term[2], store.role[2]]).toEqual([0, 4, RoleId.Leader]);
    expect(store.kind[3]).toBe(Kind.Json);
    expect(store.src[3]).toBe(-1);
    expect(store.textAt(3)).toBe("not dslogs at all");
  });

  it("a Print row that is not dslogs text keeps the tester's fields", () => {
    const store = storeOf(print(5, 2, "hello from S2's make()", "WARN"));
    expect([store.src[0], store.term[0], store.role[0]]).toEqual([2, -1, RoleId.None]);
    expect(store.topics.name(store.topic[0] as number)).toBe("WARN");
    expect(store.textAt(0)).toBe("hello from S2's make()");
  });
});
