// Print mode: the filtered rows as text, for pipes and files (`logviz run.jsonl --term 4 | less -R`).
// Two layouts: per-peer columns (with --wrap, a cell too long for its column continues on the next
// lines, so no text is lost) and a one-column list (time, term, topic, peer, whole message).
// It streams: rows are written as their input arrives, and written rows leave the store, so memory
// does not grow with the input.
import { extendVisible, peerShown, VisibleRows, type Filter } from "./filter.js";
import { computeLayout, formatColumnHeader, formatListLine, formatRowLines, topicWidthOf, type Layout } from "./layout.js";
import type { LogStore } from "./store.js";
import type { Style } from "./style.js";

export type PrintLayout = "columns" | "list";

export interface PrintOptions {
  readonly filter: Filter;
  readonly width: number;
  readonly style: Style;
  /** Receives text in chunks of about 64 KiB; return false to stop (the reader went away). */
  readonly write: (chunk: string) => boolean;
  /** "columns" (default) or "list". */
  readonly layout?: PrintLayout;
  /** Columns layout: continue long cells on following lines instead of cutting them (default false). */
  readonly wrap?: boolean;
  /** First row of the store to print; defaults to 0. */
  readonly fromRow?: number;
  /** Print the column header line (default true). */
  readonly header?: boolean;
  /** The columns of the header a previous call wrote (streaming): the first header is skipped when the
   * columns are the same, and this is updated to the columns in force at the end. */
  readonly lastColumns?: { key: string };
}

/** Writes the visible rows from `fromRow`; returns the number of rows written. */
export function printRows(store: LogStore, o: PrintOptions): number {
  const visible = new VisibleRows();
  visible.scanned = o.fromRow ?? 0;
  extendVisible(store, o.filter, visible);
  const list = o.layout === "list";
  let layout: Layout | null = null;
  let test = -1;
  let buf = "";
  const topicWidth = topicWidthOf(store);
  const wrap = o.wrap === true;
  let count = 0;
  for (let i = 0; i < visible.length; i++) {
    const row = visible.at(i);
    if (!list && store.test[row] !== test) {
      // Each test gets the columns of its own peers, with a header when they change.
      test = store.test[row] as number;
      const next = columnsLayout(store, o, test);
      const key = `${next.cols.join(",")}/${topicWidth}`;
      if (layout === null ? o.header !== false && key !== o.lastColumns?.key : key !== columnsKey(layout, topicWidth)) {
        buf += trimLine(formatColumnHeader(next, new Map(), o.style), o.style) + "\n";
      }
      if (o.lastColumns) o.lastColumns.key = key;
      layout = next;
    }
    if (layout) {
      for (const line of formatRowLines(store, row, layout, o.style, wrap)) buf += trimLine(line, o.style) + "\n";
    } else buf += formatListLine(store, row, topicWidth, o.style) + "\n";
    count++;
    if (buf.length >= 65536) {
      if (!o.write(buf)) return count;
      buf = "";
    }
  }
  if (buf) o.write(buf);
  return count;
}

function columnsLayout(store: LogStore, o: PrintOptions, test: number): Layout {
  const peers = store.peersOfTest(test).filter((p) => peerShown(o.filter, p));
  return computeLayout(o.width, peers, 0, topicWidthOf(store));
}

function columnsKey(layout: Layout, topicWidth: number): string {
  return `${layout.cols.join(",")}/${topicWidth}`;
}

/** Without colour, trailing padding is noise in a file. */
function trimLine(line: string, style: Style): string {
  return style.color ? line : line.trimEnd();
}

/**
 * Print mode over a stream: each flush writes the rows that arrived since the last one and drops them
 * from the store. The column header is written first, and again whenever the set of columns changes
 * (a new peer, a wider topic), as dslogs users expect of a live log.
 */
export class StreamPrinter {
  /** The columns of the last header written (a new header when the next chunk's differ). */
  private readonly columns = { key: "" };
  /** Rows written so far (the input's, before filtering: printed or filtered out). */
  rowsDone = 0;
  constructor(
    private readonly store: LogStore,
    private readonly o: Omit<PrintOptions, "fromRow" | "header">,
  ) {}

  /** Writes every row the store holds, then forgets them. */
  flush(): void {
    const store = this.store;
    if (store.length === 0) return;
    printRows(store, { ...this.o, lastColumns: this.columns });
    this.rowsDone += store.length;
    store.dropOldest(store.length);
  }
}
