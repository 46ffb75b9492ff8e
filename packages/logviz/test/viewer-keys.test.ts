// Search, failure jumps and the detail pane, driven through the Viewer's key handler (no Ink).
import { describe, expect, it } from "vitest";
import { Viewer } from "../src/viewer.js";
import { makeStyle } from "../src/style.js";
import { LogStore } from "../src/store.js";
import { Ingest } from "../src/ingest.js";
import { storeOf } from "./helpers.js";

const DSLOG = [
  "=== RUN   TestA",
  "000100 VOTE S1 asking for votes T1",
  "000200 LEAD S2 heartbeat T1",
  "000300 LEAD S1 converting to leader T1",
  "--- FAIL: TestA (1.00s)",
  "=== RUN   TestB",
  "000400 LOG1 S3 appended T2",
  "--- FAIL: TestB (1.00s)",
].join("\n");

function viewerOf(text: string, height = 20): Viewer {
  return new Viewer({ store: storeOf(text), style: makeStyle(false), source: "x.log", width: 120, height });
}

function type(v: Viewer, s: string): void {
  for (const ch of s) v.key(ch);
  v.key("", { return: true });
}

const status = (v: Viewer): string => v.frame().at(-1) ?? "";

describe("search", () => {
  it("matches what a row shows: topic, peer and text, not the dslogs time unless /~", () => {
    const v = viewerOf(DSLOG);
    v.key("/");
    type(v, "S2 heartbeat");
    expect(v.selectedRow()).toBe(2); // the column drops "S2 ", the search still sees the peer
    v.key("/");
    type(v, "LEAD S1 ");
    expect(v.selectedRow()).toBe(3);
    v.key("g");
    v.key("/");
    type(v, "^000300");
    expect(status(v)).toContain("no match");
    v.key("/");
    type(v, "~^000300 LEAD S1 ");
    expect(v.selectedRow()).toBe(3);
    expect(status(v)).toContain("/~^000300");
  });

  it("/leader skips rows whose hidden role field says leader; /~ searches every JSON field (issue 18)", () => {
    const ev = (t: number, src: number, state: string, msg: string, extra = ""): string =>
      `{"t":${t},"src":${src},"term":1,"state":"${state}","op":"Log","topic":"INFO","msg":"${msg}"${extra}}`;
    const v = viewerOf(
      [
        ev(1, 0, "leader", "heartbeat"),
        ev(2, 0, "leader", "heartbeat", ',"id":"m-77"'),
        ev(3, 1, "follower", "new leader is S0"),
        ev(4, 0, "leader", "heartbeat"),
      ].join("\n"),
    );
    v.key("/");
    type(v, "leader");
    expect(v.selectedRow()).toBe(2);
    expect(status(v)).toContain("match 1 of 1");
    v.key("/");
    type(v, "m-77");
    expect(status(v)).toContain("no match");
    v.key("/");
    type(v, "~m-77");
    expect(v.selectedRow()).toBe(1);
    v.key("/");
    type(v, "~leader");
    expect(status(v)).toMatch(/4 matches|match \d of 4/);
  });

  it("says match k of N, and n/N wrap around with a note", () => {
    const v = viewerOf(DSLOG);
    v.key("/");
    type(v, "T1$");
    expect(v.selectedRow()).toBe(1);
    expect(status(v)).toContain("match 1 of 3");
    v.key("n");
    v.key("n");
    expect(v.selectedRow()).toBe(3);
    expect(status(v)).toContain("match 3 of 3");
    v.key("n");
    expect(v.selectedRow()).toBe(1);
    expect(status(v)).toContain("continuing at TOP");
    v.key("N");
    expect(v.selectedRow()).toBe(3);
    expect(status(v)).toContain("continuing at BOTTOM");
    v.key("g"); // row 0: not a match
    expect(v.selectedRow()).toBe(0);
    expect(status(v)).toContain("3 matches");
  });

  it("counts matches only among the rows the filters show, and keeps count as a stream grows", () => {
    const store = new LogStore();
    const ing = new Ingest(store);
    ing.pushText("000100 VOTE S1 x T1\n000200 VOTE S2 x T1\n");
    const v = new Viewer({ store, style: makeStyle(false), source: "x", width: 120, height: 20, live: true });
    v.key("/");
    type(v, "x");
    expect(status(v)).toContain("match 1 of 2");
    ing.pushText("000300 VOTE S1 x T1\n");
    v.onData();
    expect(status(v)).toContain("match 1 of 3");
    v.setFilter({ peers: [2] });
    expect(status(v)).toContain("match 1 of 1");
  });
});

describe("failure jumps", () => {
  it("e and E wrap around", () => {
    const v = viewerOf(DSLOG);
    v.key("e");
    expect(v.selectedRow()).toBe(4);
    v.key("e");
    expect(v.selectedRow()).toBe(7);
    v.key("e");
    expect(v.selectedRow()).toBe(4);
    expect(status(v)).toContain("wrapped to the first");
    v.key("E");
    expect(v.selectedRow()).toBe(7);
    expect(status(v)).toContain("wrapped to the last");
  });
});

describe("detail pane", () => {
  it("scrolls so a 25,000-character line can be read whole", () => {
    const words: string[] = [];
    for (let i = 0; words.join(" ").length < 25_000; i++) words.push(`w${i}`);
    const long = words.join(" ");
    const v = viewerOf(`000100 INFO S0 ${long}\n`, 30);
    v.key("", { return: true });
    let seen = "";
    let frame = v.frame();
    expect(frame.join("\n")).toMatch(/lines 1-\d+ of \d+/);
    for (let i = 0; i < 2000; i++) {
      const start = frame.findIndex((l) => /─ lines \d+-\d+ of \d+/.test(l));
      const m = /lines (\d+)-(\d+) of (\d+)/.exec(frame[start] ?? "");
      expect(m).not.toBeNull();
      const pane = frame.slice(start + 1, frame.length - 1).map((l) => l.trimEnd());
      seen += pane.join("\n") + "\n";
      if (Number(m![2]) >= Number(m![3])) break;
      v.key(">");
      frame = v.frame();
    }
    // Every word of the line was shown, in order, in some frame.
    const shown = seen.split(/\s+/);
    let at = 0;
    for (const w of words) {
      at = shown.indexOf(w, at);
      expect(at, w).toBeGreaterThanOrEqual(0);
    }
    v.key("K");
    v.key("j"); // another row (none here: stays) — a new selection starts at the top
    expect(v.detailTop).toBeGreaterThan(0);
  });
});
