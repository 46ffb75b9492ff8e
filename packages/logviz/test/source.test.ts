import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { Ingest, openFileSource, openStreamSource } from "../src/ingest.js";
import { LogStore } from "../src/store.js";

const dir = mkdtempSync(join(tmpdir(), "logviz-src-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (pred: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("input sources", () => {
  it("follows a growing file, completing a line written in two parts", async () => {
    const file = join(dir, "grow.log");
    writeFileSync(file, "one\ntwo\n");
    const store = new LogStore();
    let ended = false;
    const src = openFileSource(file, new Ingest(store), {
      follow: true,
      pollMs: 30,
      onData: () => undefined,
      onEnd: () => (ended = true),
      onError: () => undefined,
    });
    try {
      await until(() => store.length === 2);
      appendFileSync(file, "thr");
      await new Promise((r) => setTimeout(r, 120));
      expect(store.length).toBe(2); // a partial line waits for its newline
      appendFileSync(file, "ee\nfour\n");
      await until(() => store.length === 4);
      expect([0, 1, 2, 3].map((i) => store.textAt(i))).toEqual(["one", "two", "three", "four"]);
      expect(ended).toBe(false);
    } finally {
      src.close();
    }
  });

  it("shows a followed file's unfinished last line once the file stops growing", async () => {
    const file = join(dir, "partial.log");
    writeFileSync(file, "one\nno newline at the end");
    const store = new LogStore();
    const src = openFileSource(file, new Ingest(store), {
      follow: true,
      pollMs: 20,
      onData: () => undefined,
      onEnd: () => undefined,
      onError: () => undefined,
    });
    try {
      await until(() => store.length === 2);
      expect(store.textAt(1)).toBe("no newline at the end");
      appendFileSync(file, "\nnext\n");
      await until(() => store.length === 4);
      expect(store.textAt(3)).toBe("next");
    } finally {
      src.close();
    }
  });

  it("reads a file to its end without follow", async () => {
    const file = join(dir, "once.log");
    writeFileSync(file, "a\nb\nlast without newline");
    const store = new LogStore();
    await new Promise<void>((resolve, reject) =>
      openFileSource(file, new Ingest(store), { follow: false, onData: () => undefined, onEnd: resolve, onError: (m) => reject(new Error(m)) }),
    );
    expect(Array.from({ length: store.length }, (_, i) => store.textAt(i))).toEqual(["a", "b", "last without newline"]);
  });

  it("reads a stream as it arrives and ends with it", async () => {
    const pipe = new PassThrough();
    const store = new LogStore();
    let ended = false;
    let updates = 0;
    openStreamSource(pipe, new Ingest(store), { follow: false, onData: () => updates++, onEnd: () => (ended = true), onError: () => undefined });
    pipe.write('{"t":1,"src":0,"term":1,"state":"leader","op":"Log","topic":"INFO","msg":"hi"}\n');
    await until(() => store.length === 1);
    expect(ended).toBe(false);
    pipe.end("tail\n");
    await until(() => ended);
    expect(store.length).toBe(2);
    expect(updates).toBeGreaterThanOrEqual(2);
  });

  it("reads a gzip-compressed trace, and keeps what it read of a truncated one", async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const gz = gzipSync(text);
    const whole = join(dir, "t.jsonl.gz");
    const cut = join(dir, "cut.jsonl.gz");
    writeFileSync(whole, gz);
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const read = async (file: string): Promise<{ store: LogStore; errors: string[] }> => {
      const store = new LogStore();
      const errors: string[] = [];
      await new Promise<void>((resolve) =>
        openFileSource(file, new Ingest(store), { follow: true, onData: () => undefined, onEnd: resolve, onError: (m) => errors.push(m) }),
      );
      return { store, errors };
    };
    const a = await read(whole);
    expect(a.store.length).toBe(5000);
    expect(a.store.textAt(4999)).toBe("line 4999");
    expect(a.errors).toEqual([]);
    const b = await read(cut);
    expect(b.store.length).toBeGreaterThan(10);
    expect(b.store.length).toBeLessThan(5000);
    expect(b.errors.join(" ")).toMatch(/unexpected end of file/);
  });
});
