// The interactive view's first frame, drawn from the first bytes of the file before anything else
// loads (issue 19 point 5: the first screen within 0.10 s of launch, as `less` shows one).
//
// Two callers draw it with the same code, so it is the same frame:
//  - bin/logviz.js, for the plain `logviz FILE` on a terminal, imports only this module's graph (the
//    store, the parser, the viewer's drawing; not commander, the converters, Ink or React), paints the
//    frame, and records it in `early`;
//  - the CLI's interactive mode (cli.ts) reads the same head, parses it into its store, and paints its
//    first frame from it (the same lines, so the terminal shows no change when the bootstrap painted
//    them already); it then reads the file on from where the head ended.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import type tty from "node:tty";
import type { Filter } from "./filter.js";
import { Ingest } from "./ingest.js";
import type { InferOptions } from "./infer.js";
import { DEFAULT_MAX_ROWS, LogStore } from "./store.js";
import { makeStyle } from "./style.js";
import { scheduleBeside } from "./schedule-overlay.js";
import { enterScreenText, paintText } from "./terminal.js";
import { Viewer } from "./viewer.js";
import { colorEnabled } from "@raftlab/raft/terminal";

/** Bytes read for the first frame: a screen of rows from any log, parsed in a few ms. */
export const HEAD_BYTES = 64 * 1024;

/** The first HEAD_BYTES of a regular, uncompressed file; null for anything else (a FIFO, a gzip file, a
 * file that cannot be read): those are read as streams, with no head. */
export function readHead(file: string): Buffer | null {
  let fd = -1;
  try {
    if (!statSync(file).isFile()) return null;
    fd = openSync(file, "r");
    const buf = Buffer.allocUnsafe(HEAD_BYTES);
    let n = 0;
    while (n < HEAD_BYTES) {
      const got = readSync(fd, buf, n, HEAD_BYTES - n, n);
      if (got === 0) break;
      n += got;
    }
    if (n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return null;
    return buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export interface ViewOptions {
  readonly file: string | undefined;
  readonly filter: Filter;
  readonly color: boolean;
  readonly width: number;
  readonly height: number;
  readonly follow: boolean;
}

/** The interactive view over `store`, as the CLI makes it. */
export function makeView(store: LogStore, o: ViewOptions): Viewer {
  return new Viewer({
    store,
    style: makeStyle(o.color),
    filter: o.filter,
    source: o.file ?? "stdin",
    width: o.width,
    height: o.height,
    follow: o.follow,
    live: true,
  });
}

/** What bin/logviz.js painted before the CLI loaded: the CLI keeps the screen (no second switch to the
 * alternate screen) and takes over the terminal's restoration. */
export interface EarlyFrame {
  readonly file: string;
  readonly lines: readonly string[];
  /** Undoes the alternate screen and raw mode should the process end before the CLI takes over. */
  readonly restore: () => void;
}

export let early: EarlyFrame | null = null;

/** The CLI has its own Terminal now: the bootstrap's restore handler goes. */
export function takeOverEarly(): EarlyFrame | null {
  const e = early;
  if (e) process.off("exit", e.restore);
  early = null;
  return e;
}

/** The lines of the first frame of `logviz FILE` with no options. */
export function firstFrameOf(file: string, head: Buffer, inference: InferOptions, width: number, height: number, color: boolean): string[] {
  const store = new LogStore({ maxRows: DEFAULT_MAX_ROWS });
  new Ingest(store, inference).push(head);
  const view = makeView(store, { file, filter: {}, color, width, height, follow: false });
  view.onData();
  return view.frame();
}

/**
 * Paints the first frame of `logviz FILE` (no options, a terminal on stdin and stdout, a regular
 * file, no schedule overlay) and returns true; false, with nothing written, when any of that does not
 * hold.
 */
export function paintEarly(argv: readonly string[]): boolean {
  const out = process.stdout as tty.WriteStream;
  const keys = process.stdin as tty.ReadStream;
  const file = argv[0];
  if (argv.length !== 1 || file === undefined || file.startsWith("-") || !out.isTTY || !keys.isTTY) return false;
  // A shrunk trace with its schedule beside it gets the schedule's marks (cli.ts loadOverlay): the CLI
  // paints that one itself.
  const schedule = scheduleBeside(file);
  if (schedule !== null && existsSync(schedule)) return false;
  const head = readHead(file);
  if (head === null) return false;
  const lines = firstFrameOf(file, head, {}, out.columns || 80, out.rows || 24, colorEnabled({ isTTY: true }));
  const restore = (): void => {
    out.write("\x1b[?1049l\x1b[?25h");
    try {
      keys.setRawMode(false);
    } catch {
      // the terminal has gone
    }
  };
  process.on("exit", restore);
  keys.setRawMode(true);
  out.write(enterScreenText() + paintText(lines));
  early = { file, lines, restore };
  return true;
}
