// Issue 18: a finite input longer than the memory budget keeps every row: the text of old rows goes to a
// temporary file (spill.ts) and comes back when a row is drawn, searched or opened.
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { Kind, LogStore, RoleId, type RowInput } from "../src/store.js";

function row(i: number): RowInput {
  // Non-ASCII too: byte offsets in the file are not character offsets.
  return {
    kind: Kind.Json,
    t: i,
    src: i % 3,
    dst: -1,
    term: 1,
    role: RoleId.Follower,
    topic: 0,
    op: 0,
    flags: 0,
    test: 0,
    inst: 0,
    text: `line ${i} ✓ ${"x".repeat(i % 50)}`,
    json: `{"i":${i},"msg":"é${i}"}`,
  };
}

describe("store spill", () => {
  it("keeps every row of a long input with only memoryRows texts in memory, read back in any order", () => {
    const store = new LogStore({ memoryRows: 1000 });
    for (let i = 0; i < 20_000; i++) store.append(row(i));
    expect(store.length).toBe(20_000);
    expect(store.dropped).toBe(0);
    expect(store.spilled).toBeGreaterThanOrEqual(20_000 - 1000 - 125);
    expect(store.length - store.spilled).toBeLessThanOrEqual(1000 + 125);
    for (const i of [0, 1, 255, 256, 257, 9_999, 19_999, 3, 18_000, 0]) {
      expect(store.textAt(i)).toBe(row(i).text);
      expect(store.jsonAt(i)).toBe(row(i).json);
    }
    for (let i = 0; i < store.length; i += 7) expect(store.textAt(i)).toBe(row(i).text);
    store.close();
  });

  it("a stream past maxRows drops its oldest rows, spilled ones first, and the file is compacted as they go", () => {
    const store = new LogStore({ maxRows: 4000, memoryRows: 1000 });
    for (let i = 0; i < 50_000; i++) store.append(row(i));
    expect(store.dropped + store.length).toBe(50_000);
    expect(store.length).toBeLessThanOrEqual(4000 + 500);
    for (let i = 0; i < store.length; i++) expect(store.textAt(i), `row ${i}`).toBe(row(store.dropped + i).text);
    store.close();
  });

  it("leaves nothing in the temporary folder: the file is unlinked as soon as it is opened", () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith("logviz-spill-")).length;
    const store = new LogStore({ memoryRows: 1000 });
    for (let i = 0; i < 5000; i++) store.append(row(i));
    expect(store.spilled).toBeGreaterThan(0);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith("logviz-spill-")).length).toBe(before);
    expect(store.textAt(0)).toBe(row(0).text);
    store.close();
  });
});
