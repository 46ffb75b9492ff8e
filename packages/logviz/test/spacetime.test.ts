// The space-time view (`v`): messages paired as `m` pairs them, arrows drawn from send to receipt, and
// the viewer's cursor, filters, search and jumps working in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceEvent } from "@raftlab/raft";
import { beforeAll, describe, expect, it } from "vitest";
import { exchangeOf } from "../src/detail.js";
import { computeVisible } from "../src/filter.js";
import { indexMessages, MsgStatus } from "../src/spacetime/messages.js";
import { F, Kind, type LogStore } from "../src/store.js";
import { makeStyle } from "../src/style.js";
import { Viewer } from "../src/viewer.js";
import { SMALL_TRACE, storeOf } from "./helpers.js";
import { realTrace, receipts, rpcTrace } from "./spacetime-traces.js";

const CORPUS = join(import.meta.dirname, "corpus");

function viewer(store: LogStore, width = 140, height = 40): Viewer {
  const v = new Viewer({ store, style: makeStyle(false), source: "t", width, height });
  v.key("v");
  return v;
}

const heads = (frame: readonly string[]): number => frame.join("\n").match(/[▶◀]/g)?.length ?? 0;
const bodyLines = (frame: readonly string[]): string[] => frame.slice(2, -1).filter((l) => /^[ >]\s*\d+\.\d/.test(l));

describe("message index", () => {
  let events: TraceEvent[] = [];
  let store: LogStore;
  beforeAll(async () => {
    const r = await realTrace("TestReElection3A", 3);
    events = r.events;
    store = storeOf(r.text);
  }, 120_000);

  it("pairs every receipt of a real trace with its send (same id, op and peers), and every reply with its request", () => {
    const ix = indexMessages(store);
    const delivered = ix.messages.filter((m) => m.status === MsgStatus.Delivered);
    expect(delivered.length).toBe(receipts(events));
    for (const m of delivered) {
      const s = JSON.parse(store.jsonAt(m.send)!) as TraceEvent;
      const r = JSON.parse(store.jsonAt(m.end)!) as TraceEvent;
      expect([s.dir, r.dir, r.id, r.op, r.from, s.src, r.src]).toEqual(["send", "recv", s.id, s.op, s.src, m.from, m.to]);
      expect(m.end).toBeGreaterThan(m.send);
    }
    const replies = ix.messages.filter((m) => m.reply);
    expect(replies.length).toBeGreaterThan(0);
    for (const m of replies.filter((x) => x.request >= 0)) {
      const req = JSON.parse(store.jsonAt(ix.messages[m.request]!.send)) as TraceEvent;
      const rep = JSON.parse(store.jsonAt(m.send)!) as TraceEvent;
      expect(rep.op).toBe(`${req.op}Reply`);
      expect(rep.id).toBe(req.id);
    }
  });

  it("ends a lost message at its MsgLost event", () => {
    const s = storeOf(SMALL_TRACE);
    const ix = indexMessages(s);
    const lost = ix.messages.filter((m) => m.status === MsgStatus.Lost);
    expect(lost).toHaveLength(1);
    expect(s.ops.name(s.op[lost[0]!.end]!)).toBe("MsgLost");
    expect(ix.messages.filter((m) => m.status === MsgStatus.Delivered)).toHaveLength(2);
  });

  it("pairs the tester's RPC trace of an uninstrumented Raft", async () => {
    const r = await rpcTrace("TestReElection3A", 3);
    expect(r.events.some((e) => e.op === "BecomeLeader")).toBe(false); // nothing of the Raft's own
    const s = storeOf(r.text);
    const ix = indexMessages(s);
    expect(receipts(r.events)).toBeGreaterThan(10);
    expect(ix.messages.filter((m) => m.status === MsgStatus.Delivered)).toHaveLength(receipts(r.events));
    expect(ix.messages.some((m) => m.reply && m.request >= 0)).toBe(true);
  }, 120_000);

  it("pairs dslogs lines exactly where m pairs them", () => {
    const s = storeOf(readFileSync(join(CORPUS, "mixed.log"), "utf8"));
    const ix = indexMessages(s);
    const delivered = ix.messages.filter((m) => m.status === MsgStatus.Delivered);
    expect(delivered.length).toBeGreaterThan(0);
    for (const m of delivered) {
      expect(s.kind[m.send]).toBe(Kind.Dslog);
      expect(exchangeOf(s, m.send)!.rows).toContain(m.end);
    }
    // A send m cannot pair (no reply or receipt line in its exchange) gets no arrow.
    for (let i = 0; i < s.length; i++) {
      if (s.kind[i] === Kind.Dslog && s.flags[i]! & F.Send && (exchangeOf(s, i)?.rows.length ?? 0) < 2) expect(ix.messageAt(i)).toBeUndefined();
    }
  });
});

describe("the space-time frame", () => {
  let text = "";
  beforeAll(async () => {
    text = (await realTrace("TestInitialElection3A", 1)).text;
  }, 120_000);

  it("draws one arrowhead per delivered message when the whole trace fits, and lanes for every peer", () => {
    const store = storeOf(text);
    const ix = indexMessages(store);
    const v = viewer(store, 140, store.length + 10);
    const f = v.frame();
    expect(f).toHaveLength(store.length + 9);
    expect(f[1]).toMatch(/S0\s+S1\s+S2/);
    expect(heads(f)).toBe(ix.messages.filter((m) => m.status === MsgStatus.Delivered).length);
    expect(f.join("\n")).toMatch(/L/); // the leader's role change is marked on its lane
    expect(f.join("\n")).toContain("┃"); // …and its lane is heavy while it leads
  });

  it("keeps the frame size and cursor rules of the columns view, and v toggles back", () => {
    const store = storeOf(text);
    const v = viewer(store, 120, 30);
    for (const f of [v.frame()]) {
      expect(f).toHaveLength(29);
      expect(f[0]).toContain("space-time");
    }
    v.key("G");
    expect(v.frame().some((l) => l.startsWith(">"))).toBe(true);
    v.key("v");
    expect(v.frame()[0]).not.toContain("space-time");
  });

  it("applies a term filter as the columns view does", () => {
    const store = storeOf(text);
    const v = viewer(store, 140, store.length + 10);
    v.key("t");
    for (const ch of "0") v.key(ch);
    v.key("", { return: true });
    const rows = bodyLines(v.frame());
    expect(rows).toHaveLength(computeVisible(store, { term: { lo: 0, hi: 0 } }).length);
    for (const l of rows) expect(["", "T0"]).toContain(l.slice(10, 14).trim()); // the term column
    expect(rows.length).toBeLessThan(store.length);
  });

  it("jumps to the failure with e, and search moves the cursor", () => {
    const store = storeOf(SMALL_TRACE);
    const v = viewer(store, 140, 30);
    v.key("e");
    expect(v.frame().find((l) => l.startsWith(">"))).toContain("Violation");
    v.key("g");
    v.key("/");
    for (const ch of "grants") v.key(ch);
    v.key("", { return: true });
    const f = v.frame();
    expect(f.find((l) => l.startsWith(">"))).toContain("S1 grants vote");
    expect(f.at(-1)).toContain("match 1 of 1");
  });

  it("marks a lost message with ✕ and a reply with a dashed line", () => {
    const f = viewer(storeOf(SMALL_TRACE), 140, 30).frame().join("\n");
    expect(f).toContain("✕");
    expect(f).toMatch(/[╌╎]/);
  });
});
