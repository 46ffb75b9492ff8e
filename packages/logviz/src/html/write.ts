// `logviz FILE --to html`: reads the whole input (a file, a .gz, or a pipe), then writes one
// self-contained page to stdout. The page holds every row, so the input is bounded by --max-rows
// (default 1M rows), like the viewer.
import { basename } from "node:path";
import { Ingest, openFileSource, openStreamSource } from "../ingest.js";
import type { InferOptions } from "../infer.js";
import { LogStore } from "../store.js";
import { buildRunData } from "./run-data.js";
import { renderRunPage } from "./run-page.js";

/** Reads the input into a store; resolves with the store and a read error, if any. */
export function readAll(file: string | undefined, inference: InferOptions, maxRows: number): Promise<{ store: LogStore; error: string | null }> {
  const store = new LogStore({ maxRows });
  const ingest = new Ingest(store, inference);
  return new Promise((resolve) => {
    let error: string | null = null;
    const opts = {
      follow: false,
      onData: () => undefined,
      onEnd: () => resolve({ store, error }),
      onError: (m: string) => {
        error = m;
        ingest.end();
        resolve({ store, error });
      },
    };
    if (file !== undefined) openFileSource(file, ingest, opts);
    else openStreamSource(process.stdin, ingest, opts);
  });
}

/** The page for a store, as a string. */
export function runPageOf(store: LogStore, source: string): string {
  return renderRunPage(buildRunData(store, source));
}

/** Writes the page of FILE (or stdin) to stdout; returns a read error, or null. */
export async function convertToHtml(file: string | undefined, inference: InferOptions, maxRows: number): Promise<string | null> {
  const { store, error } = await readAll(file, inference, maxRows);
  if (error !== null) return error;
  const page = runPageOf(store, file !== undefined ? basename(file) : "stdin");
  await new Promise<void>((resolve) => {
    process.stdout.on("error", () => resolve());
    process.stdout.write(page, () => resolve());
  });
  return null;
}
