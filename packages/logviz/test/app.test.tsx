import { describe, expect, it, afterEach } from "vitest";
import { render, cleanup } from "ink-testing-library";
import { createElement } from "react";
import { App } from "../src/app.js";
import { Viewer } from "../src/viewer.js";
import { makeStyle } from "../src/style.js";
import { SMALL_TRACE, storeOf } from "./helpers.js";

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The frame once it has stopped changing (a loaded machine can draw late). */
async function settle(app: { lastFrame: () => string | undefined }): Promise<string> {
  let last = app.lastFrame() ?? "";
  for (let stable = 0, i = 0; stable < 2 && i < 50; i++) {
    await tick(15);
    const f = app.lastFrame() ?? "";
    stable = f === last ? stable + 1 : 0;
    last = f;
  }
  return last;
}

async function setup(text = SMALL_TRACE, height = 24) {
  const viewer = new Viewer({ store: storeOf(text), style: makeStyle(false), source: "small.jsonl", width: 100, height });
  const app = render(createElement(App, { viewer }));
  await tick();
  const press = async (...keys: string[]): Promise<string> => {
    for (const k of keys) {
      app.stdin.write(k);
      await tick();
    }
    return settle(app);
  };
  return { viewer, app, press, frame: () => app.lastFrame() ?? "" };
}

afterEach(() => cleanup());

describe("viewer (ink-testing-library)", () => {
  it("draws the title, per-peer column headers, rows and the status line", async () => {
    const { frame } = await setup();
    const f = frame();
    expect(f).toContain("logviz  small.jsonl   test: SmallElection3A   3 peers");
    expect(f).toMatch(/ms term topc │S0 .*│S1 .*│S2/);
    expect(f).toContain("── TestBegin  Test Small begins");
    expect(f).toContain("15/15 lines");
    expect(f.split("\n")).toHaveLength(23);
  });

  it("marks the selected row without colour", async () => {
    const { press } = await setup();
    const f = await press("j", "j");
    expect(f).toMatch(/\n>\s+2\.0 T1 {3}TERM │C converting/);
    expect(f.match(/\n>/g)).toHaveLength(1);
  });

  it("shows each peer's role and term at the cursor in the header", async () => {
    const { press } = await setup();
    const f = await press("j", "j", "j", "j", "j", "j", "j", "j");
    expect(f).toMatch(/S0 LEADER T1/);
    expect(f).toMatch(/S1 follower T1/);
    const later = await press("G");
    expect(later).toMatch(/S2 candidate T2/);
    const afterCrash = await press("g", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j");
    expect(afterCrash).toMatch(/S2 crashed/);
  });

  it("filters by term from the t prompt and updates the counts", async () => {
    const { press } = await setup();
    const typing = await press("t", "2");
    expect(typing).toContain("term (N or N..M, empty = all): 2");
    const f = await press("\r");
    expect(f).toContain("5/15 lines │ term 2");
    expect(f).not.toContain("RequestVote");
    expect(f).toContain("│C candidate T2");
  });

  it("rejects a bad term in the status line without crashing", async () => {
    const { press } = await setup();
    const f = await press("t", "x", "\r");
    expect(f).toContain('bad term "x"');
    expect(f).toContain("15/15 lines");
  });

  it("filters topics with +/- lists and clears with c", async () => {
    const { press } = await setup();
    let f = await press("T", "+", "v", "o", "t", "e", "\r");
    expect(f).toContain("7/15 lines │ just VOTE");
    expect(f).not.toContain("election timeout");
    f = await press("c");
    expect(f).toContain("15/15 lines");
    expect(f).toContain("filters cleared");
  });

  it("toggles peers with digit keys (columns disappear)", async () => {
    const { press } = await setup();
    const f = await press("1");
    expect(f).toContain("hide S1");
    expect(f).not.toMatch(/│S1/);
    expect(f).toMatch(/│S0 .*│S2/);
  });

  it("searches with / and n, and reports a bad regex", async () => {
    const { press, viewer } = await setup();
    await press("/", "h", "e", "a", "r", "t", "\r");
    expect(viewer.selectedRow()).toBe(8);
    const bad = await press("/", "(", "\r");
    expect(bad).toContain("bad pattern");
    await press("/", "S", "2", "\r");
    expect(viewer.selectedRow()).toBe(8); // "S0 -> S2 heartbeat": case-sensitive because of the capital
    await press("n");
    expect(viewer.selectedRow()).toBe(9);
    await press("N");
    expect(viewer.selectedRow()).toBe(8);
  });

  it("jumps to term changes, tests and failures", async () => {
    const { press, viewer } = await setup();
    await press("]");
    expect(viewer.selectedRow()).toBe(2);
    await press("]");
    expect(viewer.selectedRow()).toBe(12);
    await press("[");
    expect(viewer.selectedRow()).toBe(2);
    await press("e");
    expect(viewer.selectedRow()).toBe(13);
    await press("e");
    expect(viewer.selectedRow()).toBe(14);
    const f = await press("e");
    expect(f).toContain("wrapped to the first"); // e wraps, like n
    expect(viewer.selectedRow()).toBe(13);
    await press("{");
    expect(viewer.selectedRow()).toBe(0);
  });

  it("shows a message's send, receipt and reply with delays in the detail pane", async () => {
    const { press } = await setup();
    const f = await press("j", "j", "j", "\r");
    expect(f).toContain("msg: S0 -> S1 RequestVote");
    expect(f).toContain("op=RequestVote");
    expect(f).toContain("id=v1");
    expect(f).toContain("message v1: 4 events");
    expect(f).toMatch(/S1\s+RequestVote recv S0->S1 \+1\.5ms/);
    expect(f).toMatch(/S0\s+RequestVoteReply recv S1->S0 \+4\.0ms/);
  });

  it("walks a message's exchange with m", async () => {
    const { press, viewer } = await setup();
    await press("j", "j", "j");
    expect(viewer.selectedRow()).toBe(3); // S0's RequestVote send
    await press("m");
    expect(viewer.selectedRow()).toBe(4); // S1's receipt
    await press("m", "m");
    expect(viewer.selectedRow()).toBe(6); // the reply's receipt at S0
    await press("m");
    expect(viewer.selectedRow()).toBe(3); // wraps
    const f = await press("g", "m");
    expect(f).toContain("not a message with an id");
    await press("G", "1", "g", "j", "j", "j", "m"); // S1 hidden: the receipt is filtered out
    expect(viewer.frame().join("\n")).toContain("its next event is filtered out");
  });

  it("shows a lost message in the detail pane", async () => {
    const { press } = await setup();
    const f = await press("j", "j", "j", "j", "j", "j", "j", "j", "\r");
    expect(f).toContain("message a1: 2 events");
    expect(f).toMatch(/harness\s+MsgLost LOST S0->S2 \+0\.5ms/);
    expect(f).toContain("(lost: no reply)");
  });

  it("scrolls by pages and keeps the cursor on screen", async () => {
    const big = Array.from({ length: 200 }, (_, i) => `line number ${i}`).join("\n");
    const { press } = await setup(big, 12);
    let f = await press(" ");
    // Height 12: 8 body rows, a page is 7; the view moved down by a page.
    expect(f).toContain("line number 14");
    expect(f).not.toMatch(/line number 6 *\n/);
    f = await press("b");
    expect(f).toContain("line number 0");
    f = await press("G");
    expect(f).toContain("line number 199");
    expect(f).not.toContain("line number 100 ");
    f = await press("g");
    expect(f).toContain("line number 0");
  });

  it("shows help on ? and quits on q", async () => {
    const { press, viewer } = await setup();
    const f = await press("?");
    expect(f).toContain("next / previous term change");
    await press("x");
    expect(viewer.help).toBe(false);
    await press("q");
    expect(viewer.quit).toBe(true);
  });

  it("follows a live stream at the end", async () => {
    const store = storeOf(SMALL_TRACE);
    const viewer = new Viewer({ store, style: makeStyle(false), source: "stdin", width: 100, height: 24, follow: true, live: true });
    const listeners = new Set<() => void>();
    const app = render(createElement(App, { viewer, subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)) }));
    await tick();
    expect(app.lastFrame()).toContain("FOLLOW");
    const { Ingest } = await import("../src/ingest.js");
    const ing = new Ingest(store);
    ing.pushText("appended raw line\n");
    viewer.onData();
    for (const l of listeners) l();
    await tick();
    expect(app.lastFrame()).toContain("16/16 lines");
    expect(viewer.selectedRow()).toBe(15);
    app.stdin.write("k");
    await tick();
    expect(app.lastFrame()).toContain("live");
    expect(app.lastFrame()).not.toContain("FOLLOW");
  });
});

describe("typed-ahead input", () => {
  it("replays a run of characters delivered at once, Enter included", async () => {
    const { app, viewer } = await setup();
    app.stdin.write("t2\r");
    await tick();
    expect(viewer.filter.term).toEqual({ lo: 2, hi: 2 });
    expect(app.lastFrame()).toContain("5/15 lines │ term 2");
  });
});

describe("detail pane pairing", () => {
  it("keeps a reused id between other peers out of the exchange", async () => {
    const { ev, SMALL_TRACE: base } = await import("./helpers.js");
    const reused = ev({
      t: 50,
      src: 1,
      op: "RequestVote",
      topic: "VOTE",
      term: 3,
      msg: "S1 -> S2 RequestVote",
      dst: 2,
      from: 1,
      id: "v1",
      dir: "send",
      mterm: 3,
    });
    const viewer = new Viewer({ store: storeOf(base + reused + "\n"), style: makeStyle(false), source: "x", width: 120, height: 30 });
    viewer.moveTo(3);
    viewer.key("", { return: true });
    const f = viewer.frame().join("\n");
    expect(f).toContain("message v1: 4 events (1 more with the same id between other peers or in another test: id reused)");
    expect(f).not.toMatch(/\+47\.0ms/);
  });
});

describe("dslogs logs in the viewer", () => {
  const DSLOG = [
    "Test (3A): initial election ...",
    "000035 TIMR S0 Election timeout, starting election",
    "000036 VOTE S0 -> S1 asking for vote T1",
    "000037 VOTE S1 <- S0 granting vote for T1",
    "000040 LEAD S0 Achieved Majority for T1 (2), converting to Leader",
    "000050 LOG1 S0 -> S2 Sending PLI: 0 PLT: 0 N: 0 LC: 0 - []",
    "000090 TIMR S2 Election timeout, starting election for T2",
    "000091 TERM S2 now at T2",
    "panic: runtime error: index out of range [5] with length 3",
    "  ... Passed --   3.0  3   56    0",
  ].join("\n");

  it("draws columns, a term filter and role markers from dslogs text", async () => {
    const { press, frame } = await setup(DSLOG);
    let f = frame();
    expect(f).toMatch(/ms term topc │S0 .*│S1 .*│S2/);
    expect(f).toMatch(/4\.0 T1 {3}LEAD │L Achieved Majority/);
    expect(f).toContain("Test (3A): initial election ...");
    f = await press("t", "2", "\r");
    expect(f).toContain("term 2");
    expect(f).not.toContain("Achieved Majority");
    expect(f).toMatch(/9\.1 T2 {3}TERM │\s+│\s+│C now at T2/);
    expect(f).toContain("panic: runtime error"); // raw lines stay
    await press("c", "g", "e");
    expect(frame()).toMatch(/\n>panic: runtime error/); // the failure jump lands on the panic
  });
});

describe("many peers", () => {
  it("scrolls columns horizontally when they do not fit", async () => {
    const { ev } = await import("./helpers.js");
    const lines = Array.from({ length: 12 }, (_, p) => ev({ t: p, src: p, op: "Log", topic: "INFO", term: 1, msg: `hello from ${p}` })).join("\n");
    const { press, frame } = await setup(lines);
    expect(frame()).toMatch(/│S5 .*6▶/);
    const f = await press("l", "l");
    expect(f).toMatch(/◀2 4▶/);
    expect(f).toMatch(/│S2 /);
    expect(f).not.toMatch(/│S0 /);
  });
});
