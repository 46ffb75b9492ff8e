#!/usr/bin/env node
// logviz: a terminal explorer for Raft traces. See `logviz --help`.
import { closeSync, existsSync, fstatSync, openSync, statSync } from "node:fs";
import tty from "node:tty";
import { Command, CommanderError } from "commander";
import { FilterError, parseNameList, parsePeerList, parseRoles, parseStale, parseTermRange, type Filter } from "./filter.js";
import { HELP_FILTER_RULES, HELP_KEYS } from "./help.js";
import { ScheduleOverlay, ScheduleOverlayError, scheduleBeside } from "./schedule-overlay.js";
import { Ingest, openFileSource, openStreamSource, type Source, type SourceOptions } from "./ingest.js";
import { StreamPrinter, type PrintLayout } from "./print.js";
import { DEFAULT_LIVE_MAX_ROWS, DEFAULT_MAX_ROWS, DEFAULT_MEMORY_ROWS, LogStore, MAX_MAX_ROWS } from "./store.js";
import { makeStyle } from "./style.js";
import { ResultLines } from "./results.js";
import { escapeControls } from "@raftlab/raft/trace";
import { colorEnabled, commanderErrorLine, EXIT, EXIT_USAGE_TEXT, signalExitCode, UsageError, wrapHelpText } from "@raftlab/raft/terminal";
import { openKeyboard, Terminal } from "./terminal.js";
import type { Viewer } from "./viewer.js";
import type { Instance } from "ink";
import { InferOptionError, inferOptionsOf, type InferOptions } from "./infer.js";

interface Options {
  term?: string;
  just?: string;
  ignore?: string;
  peers?: string;
  hidePeers?: string;
  role?: string;
  op?: string;
  test?: string;
  print?: boolean;
  color?: boolean;
  width?: string;
  follow?: boolean;
  layout?: string;
  wrap?: boolean;
  maxRows?: string;
  memoryRows?: string;
  to?: string;
  termRe?: string;
  roleRe?: string;
  stale?: string;
  /** --schedule FILE, or false for --no-schedule. */
  schedule?: string | false;
}

/** How dslogs text is read (--term-re, --role-re); set once in main. */
let inference: InferOptions = {};
/** --schedule FILE (or the one beside a batch's `<stem>.shrunk.jsonl`): the rows its faults caused are marked. */
let overlay: ScheduleOverlay | null = null;

function fail(message: string, code: number): never {
  process.stderr.write(`logviz: ${escapeControls(message)}\n`);
  process.exit(code);
}

/**
 * Ends the process when its terminal has gone (SIGHUP, or EIO writing to it). Not process.exit: at exit
 * Node resets the terminal's mode, and with the terminal gone that fails a native assertion and prints
 * a C++ stack. Dying of the signal itself, as a process without a handler would, skips that reset.
 */
function dieOfHangup(): void {
  process.removeAllListeners("SIGHUP");
  process.kill(process.pid, "SIGHUP");
  // Still here: SIGHUP is ignored (nohup). Leave with the status a hangup would give.
  setTimeout(() => process.exit(EXIT.HANGUP), 200).unref();
}

/**
 * The schedule to mark: --schedule FILE; else, for a batch's shrunk trace `<stem>.shrunk.jsonl`, the
 * `<stem>.schedule.json` that --shrink saved beside it (the run that trace is of); `--no-schedule`: none.
 * Only a shrunk trace gets one by default: the `<stem>.jsonl` beside it is of the seed run, not of it.
 */
function loadOverlay(file: string | undefined, flag: string | false | undefined): ScheduleOverlay | null {
  if (flag === false) return null;
  if (typeof flag === "string") return ScheduleOverlay.load(flag);
  const beside = file === undefined ? null : scheduleBeside(file);
  return beside !== null && existsSync(beside) ? ScheduleOverlay.load(beside) : null;
}

function buildFilter(o: Options): Filter {
  const ops = o.op
    ? o.op
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  const show = ops.filter((s) => !s.startsWith("-"));
  const hide = ops.filter((s) => s.startsWith("-")).map((s) => s.slice(1));
  parseNameList(show.join(","), "op");
  parseNameList(hide.join(","), "op");
  return {
    term: o.term !== undefined ? parseTermRange(o.term) : undefined,
    just: o.just !== undefined ? parseNameList(o.just, "topic").map((s) => s.toUpperCase()) : undefined,
    ignore: o.ignore !== undefined ? parseNameList(o.ignore, "topic").map((s) => s.toUpperCase()) : undefined,
    peers: o.peers !== undefined ? parsePeerList(o.peers) : undefined,
    hidePeers: o.hidePeers !== undefined ? parsePeerList(o.hidePeers) : undefined,
    roles: o.role !== undefined ? parseRoles(o.role) : undefined,
    ops: show.length ? show : undefined,
    hideOps: hide.length ? hide : undefined,
    test: o.test,
    stale: o.stale !== undefined ? parseStale(o.stale) : undefined,
  };
}

/** --color / --no-color, else the shared rule (NO_COLOR, FORCE_COLOR, TERM=dumb, a TTY). */
function colorWanted(o: Options, isTty: boolean): boolean {
  if (o.color === true) return true;
  if (o.color === false) return false;
  return colorEnabled({ isTTY: isTty });
}

function parseWidth(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{1,5}$/.test(s) || Number(s) < 20) throw new UsageError(`bad --width "${s}": expected a number >= 20`);
  return Number(s);
}

function parseLayout(s: string | undefined): PrintLayout | undefined {
  if (s === undefined) return undefined;
  if (s !== "columns" && s !== "list") throw new UsageError(`bad --layout "${s}": expected columns or list`);
  return s;
}

/**
 * --max-rows, or its default: a followed file (--follow, endless) keeps the newest DEFAULT_LIVE_MAX_ROWS
 * (measured at 335-370 MB RSS on a fast stream), all in memory; a finite input (a file read once, a
 * pipe) keeps up to DEFAULT_MAX_ROWS, the text of all but the newest --memory-rows in a temporary file.
 */
function parseMaxRows(s: string | undefined, byDefault: number = DEFAULT_MAX_ROWS): number {
  if (s === undefined) return byDefault;
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1000 || Number(s) > MAX_MAX_ROWS)
    throw new UsageError(`bad --max-rows "${s}": expected a number from 1000 to ${MAX_MAX_ROWS}`);
  return Number(s);
}

/** --html keeps every row in memory (the page holds them all): the bound it always had. */
const HTML_MAX_ROWS = 1_000_000;

function parseMemoryRows(s: string | undefined): number {
  if (s === undefined) return DEFAULT_MEMORY_ROWS;
  if (!/^\d{1,9}$/.test(s) || Number(s) < 1000 || Number(s) > MAX_MAX_ROWS)
    throw new UsageError(`bad --memory-rows "${s}": expected a number from 1000 to ${MAX_MAX_ROWS}`);
  return Number(s);
}

/** Print mode's layout when not given: a regular file gets the grep-able list, a terminal or a pipe
 * (less -R) the columns; either way nothing is cut (columns wrap unless --no-wrap). */
function defaultLayout(): PrintLayout {
  try {
    return fstatSync(1).isFile() ? "list" : "columns";
  } catch {
    return "columns";
  }
}

/** A file name as shown in messages: it comes from the user's data, so it is escaped (a name holding
 * `ESC ] 0 ;` must not retitle the window). */
function shownName(name: string): string {
  return escapeControls(name);
}

/** How long the first frame waits for the first chunk of a pipe, ms; a slower pipe gets an empty frame
 * first and fills it as lines arrive. */
const FIRST_FRAME_WAIT_MS = 60;

/** After the input ends, redraw again after these delays (ms): see `settle` in runInteractive. */
const SETTLE_REDRAW_MS = [120, 600, 1500] as const;

/** Checks that FILE can be read, before any screen is drawn: a missing file, a directory or one
 * without read permission is one line and exit 1 in every mode. */
function checkReadable(file: string): void {
  const reason = (e: unknown): string => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EISDIR") return "is a directory";
    return code ?? String(e);
  };
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    fail(`cannot open ${shownName(file)}: ${reason(e)}`, EXIT.USAGE);
  }
  if (st.isDirectory()) fail(`cannot open ${shownName(file)}: is a directory`, EXIT.USAGE);
  // A FIFO would block here until a writer opens it; the source opens it for real.
  if (st.isFIFO()) return;
  try {
    closeSync(openSync(file, "r"));
  } catch (e) {
    fail(`cannot open ${shownName(file)}: ${reason(e)}`, EXIT.USAGE);
  }
}

/** Print mode reads a file this many bytes at a time (see SourceOptions.chunkBytes). */
const PRINT_CHUNK_BYTES = 64 * 1024;

async function runPrint(file: string | undefined, filter: Filter, o: Options): Promise<void> {
  // Print mode keeps no rows once written (StreamPrinter drops them after each chunk), so its memory is
  // bounded by one chunk of input, not by the input's length. The store must not drop rows before they
  // are written: with the --max-rows bound, a 1 MiB file chunk of short lines lost all but the last
  // ~1000 of its rows, silently. So --max-rows (checked in main) does not apply here.
  const printStoreRows = 1 << 30;
  let store = new LogStore({ maxRows: printStoreRows });
  let ingest = new Ingest(store, inference, overlay);
  const style = makeStyle(colorWanted(o, process.stdout.isTTY === true));
  const width = parseWidth(o.width) ?? (process.stdout.columns || process.stderr.columns || Number(process.env.COLUMNS) || 160);
  let closed = false;
  let interrupted = false;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    // The reader (less, head) went away: stop quietly.
    if (err.code === "EPIPE") {
      closed = true;
      process.exit(EXIT.OK);
    }
  });
  // A reader slower than the input (less, a pager the user is reading, a slow pipe): stop reading the
  // input until stdout has drained, so what waits for the reader stays in the pipe, the producer or the
  // file, not in this process's memory (a `--follow` stream into a paused reader grew by ~50 MB/s, and
  // `--print 1m.log | slow` peaked at 431 MB, before).
  let source: Source | null = null;
  let sourcePaused = false;
  const write = (s: string): boolean => {
    if (closed) return false;
    if (!process.stdout.write(s) && source !== null && !sourcePaused) {
      sourcePaused = true;
      const paused = source;
      paused.pause();
      process.stdout.once("drain", () => {
        sourcePaused = false;
        if (!interrupted) paused.resume();
      });
    }
    return true;
  };
  const printOptions = { filter, width, style, write, layout: parseLayout(o.layout) ?? defaultLayout(), wrap: o.wrap !== false };
  let printer = new StreamPrinter(store, printOptions);
  let readError: string | null = null;
  await new Promise<void>((resolve) => {
    // Streaming: rows are written as each chunk of input is parsed, not at the end of the input.
    const opts = {
      follow: o.follow === true,
      chunkBytes: PRINT_CHUNK_BYTES,
      onData: () => printer.flush(),
      onEnd: () => resolve(),
      // Print what could be read, then report the error (a truncated .gz, an I/O error).
      onError: (m: string) => {
        readError = m;
        ingest.end();
        resolve();
      },
      // A followed file truncated or replaced: say so, and print the new file from its start.
      onRestart: (reason: string): Ingest => {
        printer.flush();
        process.stderr.write(`logviz: ${shownName(file ?? "stdin")}: ${reason}\n`);
        store = new LogStore({ maxRows: printStoreRows });
        ingest = new Ingest(store, inference, overlay);
        printer = new StreamPrinter(store, printOptions);
        return ingest;
      },
    };
    const src: Source = file !== undefined ? openFileSource(file, ingest, opts) : openStreamSource(process.stdin, ingest, opts);
    source = src;
    // Ctrl-C: what was read is printed (a last line without its newline too), then exit 130.
    process.on("SIGINT", () => {
      interrupted = true;
      src.close();
      ingest.end();
      resolve();
    });
  });
  printer.flush();
  if (readError !== null) fail(`${shownName(file ?? "stdin")}: ${readError}`, EXIT.FAIL);
  if (interrupted) {
    // Exit once stdout has taken everything (a pipe to a slow reader may still hold some).
    process.stdout.write("", () => process.exit(EXIT.INTERRUPTED));
    return;
  }
}

/**
 * Ink decides once, when it is first imported, whether it runs "in CI" (CI or CONTINUOUS_INTEGRATION
 * set), and then draws nothing until exit; React picks its build from NODE_ENV. Both are imported only
 * after this (dynamic imports).
 */
function prepareForInk(): void {
  // We only get here with a terminal on both stdout and the keyboard, so a person is watching even if
  // CI is exported (CI runners, dev containers, our own e2e test under CI): clear the flags.
  delete process.env["CI"];
  delete process.env["CONTINUOUS_INTEGRATION"];
  // React's development build keeps a PerformanceMeasure per render, which grows the heap for as long
  // as a live stream redraws (tens of MB a minute); the production build keeps nothing per frame. A
  // NODE_ENV the user set is left alone.
  if (process.env["NODE_ENV"] === undefined || process.env["NODE_ENV"] === "") process.env["NODE_ENV"] = "production";
}

/** Redraws of the Ink app: at once, coalesced (at most every 50 ms), and settling redraws after an end. */
class Redraws {
  readonly listeners = new Set<() => void>();
  private pending: NodeJS.Timeout | null = null;

  readonly now = (): void => {
    for (const l of this.listeners) l();
  };

  notify(): void {
    if (this.pending) return;
    // Coalesce: a big file arrives in many chunks.
    this.pending = setTimeout(() => {
      this.pending = null;
      this.now();
    }, 50);
  }

  /**
   * The last change of a stream's state (its end) must reach the screen without a key press. A redraw
   * right at the end can be lost (seen about 1 time in 8 with a producer that exits at once: the status
   * kept saying "live" until a key); a stale frame then stayed. Redraw again a little later, when the
   * end's terminal-mode re-assertions are done; a frame that did not change writes nothing.
   */
  settle(): void {
    for (const ms of SETTLE_REDRAW_MS) setTimeout(this.now, ms).unref();
  }

  cancel(): void {
    if (this.pending) clearTimeout(this.pending);
  }
}

/** What the interactive view shows; all three are replaced when a followed file is truncated or replaced. */
interface Shown {
  store: LogStore;
  ingest: Ingest;
  viewer: Viewer;
  /** Re-renders the Ink app with the current viewer, once it is mounted. */
  rerender: (() => void) | null;
}

/** What the interactive view shares with the source's callbacks. */
interface ViewContext {
  readonly file: string | undefined;
  readonly o: Options;
  readonly shown: Shown;
  readonly term: Terminal;
  readonly results: ResultLines;
  readonly redraws: Redraws;
  /** Called on the first data, the end or an error: the first frame may be painted. */
  readonly firstData: () => void;
  readonly newView: (reason: string) => void;
}

/** The source's callbacks for the interactive view: each chunk, the end, catching up, an error, a restart. */
function viewSourceOptions(c: ViewContext): SourceOptions {
  const { file, o, shown, redraws } = c;
  let firstChunk = true;
  return {
    // A file is watched for growth even without --follow; --follow only starts at the end.
    follow: true,
    onData: () => {
      // A saved file (no --follow) that grows after it was read to its end is live again while it does.
      if (file !== undefined && o.follow !== true && !shown.viewer.live) shown.viewer.setLive(true);
      shown.viewer.onData();
      c.results.scan(shown.store);
      if (firstChunk) {
        firstChunk = false;
        c.firstData();
        redraws.now();
      } else redraws.notify();
    },
    onEnd: () => {
      shown.viewer.setLive(false);
      // The pipe's producers have exited, and a Node producer resets the terminal's mode as it exits.
      if (file === undefined) c.term.inputEnded();
      c.firstData();
      redraws.notify();
      redraws.settle();
    },
    // A saved file read to its end says so (it is still watched: growth makes it live again); with
    // --follow it stays live.
    onCaughtUp: () => {
      if (file === undefined || o.follow === true) return;
      shown.viewer.setLive(false);
      redraws.notify();
      redraws.settle();
    },
    onError: (m: string) => {
      shown.viewer.message = m;
      shown.viewer.messageIsError = true;
      c.firstData();
      redraws.notify();
    },
    // A followed file truncated or replaced: a new view of the new file, the filters kept, and the
    // reason in the status line (nothing of the old file stays in view).
    onRestart: (reason: string): Ingest => {
      c.newView(reason);
      return shown.ingest;
    },
  };
}

/** Loads Ink and React and mounts the app over the frame painted so far; a kill restores the terminal. */
async function mountApp(shown: Shown, keys: tty.ReadStream, term: Terminal, redraws: Redraws): Promise<Instance> {
  const { render } = await import("ink");
  const { createElement } = await import("react");
  const { App } = await import("./app.js");
  const element = () =>
    createElement(App, {
      viewer: shown.viewer,
      subscribe: (l: () => void) => {
        redraws.listeners.add(l);
        // Data may have arrived before the component subscribed: draw it now.
        l();
        return () => redraws.listeners.delete(l);
      },
      onSuspend: () => term.suspend(true),
    });
  // Ink's first frame starts where the cursor is: at the top, over the frame painted above.
  term.home();
  const inst = render(element(), { stdin: keys, exitOnCtrlC: false, patchConsole: false, maxFps: 30 });
  shown.rerender = () => inst.rerender(element());
  // A terminal closed or a kill: restore the screen and the terminal mode before going.
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    process.once(sig, () => {
      inst.unmount();
      term.close();
      process.exit(signalExitCode(sig));
    });
  }
  // SIGHUP: the terminal is gone, there is no screen to restore.
  process.once("SIGHUP", dieOfHangup);
  return inst;
}

async function runInteractive(file: string | undefined, filter: Filter, o: Options, keys: tty.ReadStream): Promise<void> {
  prepareForInk();
  // Ink and React take most of a second to load. The viewer builds its frames from plain strings, so
  // the first frame is painted before they are imported, and Ink then draws over the same screen.
  const { makeView, readHead, takeOverEarly } = await import("./first-frame.js");
  const out = process.stdout as tty.WriteStream;
  // The terminal went away (its window closed, ssh dropped): nothing can be drawn or read any more.
  // Leave quietly instead of an unhandled 'write EIO' stack on a stderr that may still be a log file.
  out.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EIO" && e.code !== "EPIPE") process.stderr.write(`logviz: cannot write to the terminal: ${e.code ?? e.message}\n`);
    dieOfHangup();
  });
  // --follow is an endless stream: past --max-rows its oldest rows go. A file read once or a pipe is
  // finite: every row is kept, the text of old rows in a temporary file (store.ts, spill.ts).
  const endless = o.follow === true;
  const maxRows = parseMaxRows(o.maxRows, endless ? DEFAULT_LIVE_MAX_ROWS : DEFAULT_MAX_ROWS);
  const memoryRows = endless ? undefined : parseMemoryRows(o.memoryRows);
  const storeOptions = { maxRows, ...(memoryRows !== undefined ? { memoryRows } : {}) };
  const makeViewer = (s: LogStore, f: Filter): Viewer =>
    makeView(s, {
      file,
      filter: f,
      color: colorWanted(o, true),
      width: out.columns || 80,
      height: out.rows || 24,
      follow: o.follow === true || file === undefined,
    });
  const store = new LogStore(storeOptions);
  const shown: Shown = { store, ingest: new Ingest(store, inference, overlay), viewer: makeViewer(store, filter), rerender: null };
  const newView = (reason: string): void => {
    shown.store.close();
    shown.store = new LogStore(storeOptions);
    shown.ingest = new Ingest(shown.store, inference, overlay);
    const next = makeViewer(shown.store, shown.viewer.filter);
    next.search = shown.viewer.search;
    next.searchAll = shown.viewer.searchAll;
    next.message = reason;
    shown.viewer = next;
    if (shown.rerender) shown.rerender();
  };
  const results = new ResultLines();
  const redraws = new Redraws();
  const term = new Terminal({
    out,
    keys,
    frame: () => {
      shown.viewer.resize(out.columns || shown.viewer.width, out.rows || shown.viewer.height);
      return shown.viewer.frame();
    },
    onResume: redraws.now,
  });
  // The alternate screen keeps the user's scrollback intact, as less does. bin/logviz.js may have
  // switched to it and painted the first frame already (first-frame.ts).
  const early = takeOverEarly();
  term.enter(early !== null && early.file === file);
  // The first frame, from the first bytes of a file (the same frame the bootstrap painted); the source
  // below reads on from where the head ended.
  const head = file !== undefined && o.follow !== true ? readHead(file) : null;
  if (head !== null) {
    shown.ingest.push(head);
    shown.viewer.onData();
    results.scan(shown.store);
    term.paint(shown.viewer.frame());
  }
  let firstData: () => void = () => undefined;
  const firstDataSeen = new Promise<void>((resolve) => (firstData = resolve));
  const opts = viewSourceOptions({ file, o, shown, term, results, redraws, firstData: () => firstData(), newView });
  const src = file !== undefined ? openFileSource(file, shown.ingest, opts) : openStreamSource(process.stdin, shown.ingest, opts);
  // Another process shares the terminal while the pipe is open (see terminal.ts).
  if (file === undefined) term.watchSharedTerminal();
  // The first frame (unless the head gave it): after the first chunk, or at once for a pipe that is
  // slow to start.
  if (head === null) {
    await Promise.race([firstDataSeen, new Promise((r) => setTimeout(r, FIRST_FRAME_WAIT_MS))]);
    term.paint(shown.viewer.frame());
  }
  const inst = await mountApp(shown, keys, term, redraws);
  await inst.waitUntilExit();
  src.close();
  redraws.cancel();
  inst.cleanup();
  term.close();
  // The lab's result lines of a piped run, in the terminal after the view has gone.
  const lines = results.lines();
  if (lines.length > 0) out.write(lines.join("\n") + "\n", () => process.exit(EXIT.OK));
  else process.exit(EXIT.OK);
}

/** The keys, filter rules, examples and exit codes under --help's options. */
const HELP_AFTER = `\n${HELP_KEYS}\n\n${HELP_FILTER_RULES}\n\nExamples
  raftlab run Figure8 --seed 42 --trace | logviz
  logviz run.jsonl --term 4 --just VOTE,LEAD | less -R
  VERBOSE=1 go test -run 3A | logviz          (dslogs format: "008260 LEAD S1 message")
  logviz run.jsonl --print --width 200 --peers 0,1

Exit codes: 0 ok, 1 the input broke off with a read error after it opened, ${EXIT_USAGE_TEXT}.`;

/** logviz's command line: the file argument, the options, and --help's text. */
function buildProgram(): Command {
  return (
    new Command()
      .name("logviz")
      .description(
        "A terminal explorer for Raft traces: per-peer columns, filters by term, topic, peer and role, search, and live streams. Reads raftlab JSON-lines traces, dslogs-style text, and anything else as raw lines.",
      )
      .argument("[file]", "trace file (JSON lines or dslogs text); omit to read a pipe on stdin")
      .option("--term <range>", "only terms N or N..M (rows without a term stay)")
      .option("--just <topics>", "only these topics, comma-separated (custom topics allowed), like dslogs -j")
      .option("--ignore <topics>", "hide these topics, like dslogs -i")
      .option("--peers <list>", "show only these peers' columns, e.g. 0,2")
      .option("--hide-peers <list>", "hide these peers' columns")
      .option("--role <roles>", "only events emitted as leader, candidate and/or follower")
      .option("--op <ops>", "only these opcodes (e.g. AppendEntries,RequestVote); --op=-MsgLost hides one")
      .option("--test <name>", "only tests whose name contains NAME")
      .option(
        "--stale <hide|only>",
        "dslogs: hide, or show only, lines from a stale instance of a peer (a killed Raft still logging: its explicit terms go down)",
      )
      .option(
        "--schedule <file>",
        "mark the rows whose fault this raftlab schedule injected (a scheduled drop, a crash or disconnect from its script); default for a batch's <stem>.shrunk.jsonl: the <stem>.schedule.json beside it",
      )
      .option("--no-schedule", "do not mark a schedule's faults, not even the one beside a shrunk trace")
      .option("--print", "print the filtered columns as text and exit (automatic when stdout is not a terminal)")
      .option("--color", "keep colour in print mode (also overrides NO_COLOR)")
      .option("--no-color", "no colour")
      .option("--width <n>", "print mode: line width (default: the terminal's, else 160)")
      .option(
        "--layout <kind>",
        "print mode: columns (one per peer) or list (time, term, topic, peer, whole message on one line); default: list when stdout is a regular file, columns on a terminal or a pipe",
      )
      .option("--wrap", "print mode, columns: a cell too long for its column continues on the next lines of the same row, like dslogs (the default)")
      .option("--no-wrap", "print mode, columns: one line per row, long cells cut with …")
      .option(
        "--max-rows <n>",
        `viewer: keep at most N rows; past it the oldest rows are dropped and the status says how many (default ${DEFAULT_LIVE_MAX_ROWS} with --follow, ${DEFAULT_MAX_ROWS} for a file or a pipe); print mode writes every row and keeps none`,
      )
      .option(
        "--memory-rows <n>",
        `viewer, a file or a pipe: the text of at most N rows stays in memory; older rows' text waits in a temporary file (deleted at once, gone on any exit) and is read back when shown or searched (default ${DEFAULT_MEMORY_ROWS})`,
      )
      .option(
        "--to <format>",
        "convert instead of viewing: jsonl writes every input line as one trace-format event (docs/trace-format.md) with the inferred src, term and state, plus line and raw; html writes one self-contained page (space-time diagram, per-peer table, filters, search, the failure and its replay command): logviz run.jsonl --to html > run.html",
      )
      .option(
        "--term-re <regex>",
        'dslogs text: a regex whose group 1 is the peer\'s own term, tried on the text after S<n> (replaces the default markers), e.g. "\\bterm=(\\d+)"',
      )
      .option("--role-re <regex>", 'dslogs text: a regex whose group 1 is the peer\'s own role (leader/candidate/follower or L/C/F), e.g. "^\\[(\\w+)\\]"')
      .option("--follow", "keep reading a growing file (tail -f); start at the end in the viewer")
      // Wrapped like commander's own sections (80 columns off a terminal); an example is never cut mid-command.
      .configureHelp({ boxWrap: (text: string, width: number) => wrapHelpText(text, width) })
      .addHelpText("after", () => wrapHelpText(HELP_AFTER, process.stdout.isTTY ? process.stdout.columns : 80))
      .exitOverride()
      .configureOutput({ outputError: (str, write) => write(`logviz: ${escapeControls(commanderErrorLine(str))}\n`) })
  );
}

/** Parses argv; --help and --version exit 0, a usage error (already printed) exits 2. */
function parseOrExit(program: Command, argv: string[]): void {
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(EXIT.OK);
      process.exit(EXIT.USAGE);
    }
    throw e;
  }
}

/** The filter the options ask for, after every option's check (a bad one fails with exit 2). */
function checkedOptions(o: Options): Filter {
  try {
    const filter = buildFilter(o);
    parseWidth(o.width);
    parseLayout(o.layout);
    parseMaxRows(o.maxRows);
    parseMemoryRows(o.memoryRows);
    inference = inferOptionsOf(o);
    if (o.to !== undefined && o.to !== "jsonl" && o.to !== "html") throw new UsageError(`bad --to "${o.to}": expected jsonl or html`);
    return filter;
  } catch (e) {
    if (e instanceof FilterError || e instanceof UsageError || e instanceof InferOptionError) fail(e.message, EXIT.USAGE);
    throw e;
  }
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  parseOrExit(program, argv);
  const o = program.opts<Options>();
  const file = program.args[0];
  const filter = checkedOptions(o);
  if (file !== undefined) checkReadable(file);
  else if (process.stdin.isTTY) {
    fail("no input: give a FILE, or pipe a trace in (raftlab run ... --trace | logviz); see --help", EXIT.USAGE);
  }
  try {
    overlay = loadOverlay(file, o.schedule);
  } catch (e) {
    if (e instanceof ScheduleOverlayError) fail(`--schedule: ${e.message}`, EXIT.USAGE);
    throw e;
  }
  if (o.to !== undefined) {
    // Loaded only here: print mode and the viewer start without the converters' modules.
    const err =
      o.to === "html"
        ? await (await import("./html/write.js")).convertToHtml(file, inference, parseMaxRows(o.maxRows, HTML_MAX_ROWS))
        : await (await import("./tojsonl.js")).convertToJsonl(file, inference);
    if (err !== null) fail(`${shownName(file ?? "stdin")}: ${err}`, EXIT.FAIL);
    return;
  }
  const keys = o.print || !process.stdout.isTTY ? null : openKeyboard();
  if (keys === null) return runPrint(file, filter, o);
  return runInteractive(file, filter, o, keys);
}

main(process.argv).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), EXIT.FAIL));
