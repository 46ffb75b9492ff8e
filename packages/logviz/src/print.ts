// Print mode: the filtered per-peer columns as text, for pipes (`logviz run.jsonl --term 4 | less -R`).
import { extendVisible, peerShown, VisibleRows, type Filter } from "./filter.js";
import { computeLayout, formatColumnHeader, formatRow, topicWidthOf } from "./layout.js";
import type { LogStore } from "./store.js";
import type { Style } from "./style.js";

export interface PrintOptions {
  readonly filter: Filter;
  readonly width: number;
  readonly style: Style;
  /** Receives text in chunks of about 64 KiB; return false to stop (the reader went away). */
  readonly write: (chunk: string) => boolean;
  /** First row of the store to print (for follow mode); defaults to 0. */
  readonly fromRow?: number;
  /** Print the column header line (default true). */
  readonly header?: boolean;
}

/** Writes the visible rows from `fromRow`; returns the number of rows written. */
export function printRows(store: LogStore, o: PrintOptions): number {
  const peers = store.peers.filter((p) => peerShown(o.filter, p));
  const layout = computeLayout(o.width, peers, 0, topicWidthOf(store));
  // Only rows from `fromRow` on are examined, so printing a stream chunk by chunk stays linear.
  const visible = new VisibleRows();
  visible.scanned = o.fromRow ?? 0;
  extendVisible(store, o.filter, visible);
  let buf = "";
  const trim = !o.style.color;
  if (o.header !== false) {
    const h = formatColumnHeader(layout, new Map(), o.style);
    buf += (trim ? h.trimEnd() : h) + "\n";
  }
  let count = 0;
  for (let i = 0; i < visible.length; i++) {
    const line = formatRow(store, visible.at(i), layout, o.style);
    buf += (trim ? line.trimEnd() : line) + "\n";
    count++;
    if (buf.length >= 65536) {
      if (!o.write(buf)) return count;
      buf = "";
    }
  }
  if (buf) o.write(buf);
  return count;
}
