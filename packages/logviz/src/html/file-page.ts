// A run's page from a saved file, synchronously: what other tools (raftlab batch's report.html) call
// to turn a saved trace or log into a page beside it. Reads the file in 1 MiB chunks into a store bounded
// by maxRows (the store keeps the newest rows, where a failure is), so a huge file costs what maxRows
// rows cost, never the whole file in memory at once; a gzip file is decompressed in one go, capped.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { Ingest, isGzip } from "../ingest.js";
import { LogStore } from "../store.js";
import { buildRunData, type RunData } from "./run-data.js";
import { renderRunPage, type RunPageMeta } from "./run-page.js";

/** Rows a page from a file holds by default (a saved batch trace is capped far below this). */
export const FILE_PAGE_MAX_ROWS = 1_000_000;
/** Bytes a gzip file may inflate to. */
const MAX_GUNZIP_BYTES = 512 * 1024 * 1024;
const CHUNK = 1 << 20;

export interface FilePageOptions extends RunPageMeta {
  readonly maxRows?: number;
}

/** The store of a file's rows (logviz's parser: raftlab traces, dslogs, go test output, raw text). */
export function readFileStore(path: string, maxRows: number = FILE_PAGE_MAX_ROWS): LogStore {
  const store = new LogStore({ maxRows });
  const ingest = new Ingest(store);
  if (isGzip(path)) {
    ingest.push(gunzipSync(readFileSync(path), { maxOutputLength: MAX_GUNZIP_BYTES }));
  } else {
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) break;
        ingest.push(Buffer.from(buf.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  }
  ingest.end();
  return store;
}

/** A page's data and HTML for a saved file, and how many of its oldest rows did not fit in maxRows;
 * throws (Node's error) when the file cannot be read. */
export function runPageOfFile(path: string, options: FilePageOptions = {}): { readonly data: RunData; readonly html: string; readonly droppedRows: number } {
  const store = readFileStore(path, options.maxRows);
  const data = buildRunData(store, basename(path));
  const meta: RunPageMeta = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.replay !== undefined ? { replay: options.replay } : {}),
  };
  return { data, html: renderRunPage(data, meta), droppedRows: store.dropped };
}
