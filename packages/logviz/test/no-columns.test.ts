// Issue 19 point 3: the viewer's columns follow the test at the cursor. When that test has no peer
// lines (only `go test -v` output), other tests' dslogs rows in view are shown whole, not as an empty
// gutter (`1.5 T1 TIMR` with no text), and the header says which test the columns follow.
import { describe, expect, it } from "vitest";
import { Viewer } from "../src/viewer.js";
import { makeStyle } from "../src/style.js";
import { drawFrame } from "../src/screen.js";
import { computeLayout, formatRowLines } from "../src/layout.js";
import { storeOf } from "./helpers.js";

const LOG =
  [
    "=== RUN   TestA",
    "some output",
    "--- PASS: TestA (0.1s)",
    "=== RUN   TestB",
    "000015 TIMR S1 Follower@T1: election timeout",
    "000016 VOTE S0 Follower@T1 -> S1 vote granted",
    "--- PASS: TestB (0.1s)",
  ].join("\n") + "\n";

describe("a test section without dslogs lines", () => {
  it("rows of other tests in view show their text; the header names the test the columns follow", () => {
    const v = new Viewer({ store: storeOf(LOG), style: makeStyle(false), source: "x", width: 100, height: 14 });
    const frame = drawFrame(v);
    expect(frame[1]).toContain("no peer columns: TestA has no peer lines");
    expect(frame.find((l) => l.includes("TIMR"))).toMatch(/1\.5 T1 +TIMR S1 Follower@T1: election timeout/);
    expect(frame.find((l) => l.includes("VOTE"))).toMatch(/VOTE S0 Follower@T1 -> S1 vote granted/);
    v.key("G");
    // With peer columns the title line names the test (the header has no room left).
    const after = drawFrame(v);
    expect(after[0]).toContain("test: TestB");
    expect(after[1]).toMatch(/│S0 .*│S1 /);
  });

  it("print mode's --wrap path shows the whole text too", () => {
    const store = storeOf(LOG);
    const lay = computeLayout(40, [], 0);
    const lines = formatRowLines(store, 4, lay, makeStyle(false), true).join("\n");
    expect(lines.replace(/ *\n +/g, " ")).toContain("S1 Follower@T1: election timeout");
  });
});
