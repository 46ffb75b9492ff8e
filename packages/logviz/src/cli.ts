#!/usr/bin/env node
// logviz: a terminal explorer for Raft traces. See `logviz --help`.
import { closeSync, openSync, statSync } from "node:fs";
import tty from "node:tty";
import { Command, CommanderError } from "commander";
import { createElement } from "react";
import { FilterError, parseNameList, parsePeerList, parseRoles, parseTermRange, type Filter } from "./filter.js";
import { HELP_FILTER_RULES, HELP_KEYS } from "./help.js";
import { Ingest, openFileSource, openStreamSource, type Source } from "./ingest.js";
import { printRows } from "./print.js";
import { topicWidthOf } from "./layout.js";
import { LogStore } from "./store.js";
import { makeStyle } from "./style.js";
import { Viewer } from "./viewer.js";

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
}

class UsageError extends Error {}

function fail(message: string, code: number): never {
  process.stderr.write(`logviz: ${message}\n`);
  process.exit(code);
}

function buildFilter(o: Options): Filter {
  const ops = o.op ? o.op.split(",").map((s) => s.trim()).filter(Boolean) : [];
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
  };
}

function colorWanted(o: Options, isTty: boolean): boolean {
  if (o.color === true) return true;
  if (o.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  return isTty;
}

function parseWidth(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{1,5}$/.test(s) || Number(s) < 20) throw new UsageError(`bad --width "${s}": expected a number >= 20`);
  return Number(s);
}

/** Opens the terminal for keys when stdin is a pipe; null if there is no terminal. */
function openKeyboard(): tty.ReadStream | null {
  if (process.stdin.isTTY) return process.stdin as tty.ReadStream;
  try {
    const fd = openSync("/dev/tty", "r");
    if (!tty.isatty(fd)) {
      closeSync(fd);
      return null;
    }
    return new tty.ReadStream(fd);
  } catch {
    return null;
  }
}

async function runPrint(file: string | undefined, filter: Filter, o: Options): Promise<void> {
  const store = new LogStore();
  const ingest = new Ingest(store);
  const style = makeStyle(colorWanted(o, process.stdout.isTTY === true));
  const width = parseWidth(o.width) ?? (process.stdout.columns || process.stderr.columns || Number(process.env.COLUMNS) || 160);
  let closed = false;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    // The reader (less, head) went away: stop quietly.
    if (err.code === "EPIPE") {
      closed = true;
      process.exit(0);
    }
  });
  const write = (s: string): boolean => {
    if (closed) return false;
    process.stdout.write(s);
    return true;
  };
  let readError: string | null = null;
  await new Promise<void>((resolve) => {
    let printed = 0;
    let columns = "";
    const flush = (): void => {
      if (!o.follow) return;
      // Streaming: print complete rows as they arrive; print the header again if new peers appeared.
      const from = printed;
      if (store.length > from) {
        const cols = `${store.peers.join(",")}/${topicWidthOf(store)}`;
        printRows(store, { filter, width, style, write, fromRow: from, header: cols !== columns });
        columns = cols;
        printed = store.length;
      }
    };
    const opts = {
      follow: o.follow === true,
      onData: flush,
      onEnd: () => resolve(),
      // Print what could be read, then report the error (a truncated .gz, an I/O error).
      onError: (m: string) => {
        readError = m;
        ingest.end();
        resolve();
      },
    };
    let src: Source;
    if (file !== undefined) src = openFileSource(file, ingest, opts);
    else src = openStreamSource(process.stdin, ingest, opts);
    process.on("SIGINT", () => {
      src.close();
      resolve();
    });
  });
  if (!o.follow) printRows(store, { filter, width, style, write });
  if (readError !== null) fail(`${file ?? "stdin"}: ${readError}`, 1);
}

async function runInteractive(file: string | undefined, filter: Filter, o: Options, keys: tty.ReadStream): Promise<void> {
  // Ink decides once, when it is first imported, whether it runs "in CI" (CI or CONTINUOUS_INTEGRATION
  // set), and then draws nothing until exit. We only get here with a terminal on both stdout and the
  // keyboard, so a person is watching even if CI is exported (CI runners, dev containers, our own e2e
  // test under CI): clear the flags before the first import of ink.
  delete process.env["CI"];
  delete process.env["CONTINUOUS_INTEGRATION"];
  const { render } = await import("ink");
  const { App } = await import("./app.js");
  const store = new LogStore();
  const ingest = new Ingest(store);
  const out = process.stdout;
  const viewer = new Viewer({
    store,
    style: makeStyle(colorWanted(o, true)),
    filter,
    source: file ?? "stdin",
    width: out.columns || 80,
    height: out.rows || 24,
    follow: o.follow === true || file === undefined,
    live: true,
  });
  const listeners = new Set<() => void>();
  let pending: NodeJS.Timeout | null = null;
  const notify = (): void => {
    if (pending) return;
    // Coalesce: a big file arrives in many chunks; redraw at most every 50 ms.
    pending = setTimeout(() => {
      pending = null;
      for (const l of listeners) l();
    }, 50);
  };
  let firstChunk = true;
  const opts = {
    // A file is watched for growth even without --follow; --follow only starts at the end.
    follow: true,
    onData: () => {
      viewer.onData();
      if (firstChunk) {
        firstChunk = false;
        for (const l of listeners) l();
      } else notify();
    },
    onEnd: () => {
      viewer.setLive(false);
      notify();
    },
    onError: (m: string) => {
      viewer.message = m;
      viewer.messageIsError = true;
      notify();
    },
  };
  const src = file !== undefined ? openFileSource(file, ingest, opts) : openStreamSource(process.stdin, ingest, opts);
  // The alternate screen keeps the user's scrollback intact, as less does.
  const leave = (): void => {
    out.write("\x1b[?1049l\x1b[?25h");
  };
  out.write("\x1b[?1049h\x1b[H\x1b[?25l");
  process.on("exit", leave);
  const inst = render(
    createElement(App, {
      viewer,
      subscribe: (l: () => void) => {
        listeners.add(l);
        // Data may have arrived before the component subscribed: draw it now.
        l();
        return () => listeners.delete(l);
      },
    }),
    { stdin: keys, exitOnCtrlC: false, patchConsole: false, maxFps: 30 },
  );
  // A terminal closed or a kill: restore the screen and the terminal mode before going.
  const signalNumber = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const sig of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    process.once(sig, () => {
      inst.unmount();
      leave();
      process.exit(128 + signalNumber[sig]);
    });
  }
  await inst.waitUntilExit();
  src.close();
  if (pending) clearTimeout(pending);
  inst.cleanup();
  leave();
  process.removeListener("exit", leave);
  process.exit(0);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name("logviz")
    .description("A terminal explorer for Raft traces: per-peer columns, filters by term, topic, peer and role, search, and live streams. Reads raftlab JSON-lines traces, dslogs-style text, and anything else as raw lines.")
    .argument("[file]", "trace file (JSON lines or dslogs text); omit to read a pipe on stdin")
    .option("--term <range>", "only terms N or N..M (rows without a term stay)")
    .option("--just <topics>", "only these topics, comma-separated (custom topics allowed), like dslogs -j")
    .option("--ignore <topics>", "hide these topics, like dslogs -i")
    .option("--peers <list>", "show only these peers' columns, e.g. 0,2")
    .option("--hide-peers <list>", "hide these peers' columns")
    .option("--role <roles>", "only events emitted as leader, candidate and/or follower")
    .option("--op <ops>", "only these opcodes (e.g. AppendEntries,RequestVote); --op=-MsgLost hides one")
    .option("--test <name>", "only tests whose name contains NAME")
    .option("--print", "print the filtered columns as text and exit (automatic when stdout is not a terminal)")
    .option("--color", "keep colour in print mode (also overrides NO_COLOR)")
    .option("--no-color", "no colour")
    .option("--width <n>", "print mode: line width (default: the terminal's, else 160)")
    .option("--follow", "keep reading a growing file (tail -f); start at the end in the viewer")
    .addHelpText(
      "after",
      `\n${HELP_KEYS}\n\n${HELP_FILTER_RULES}\n\nExamples
  raftlab run Figure8 --seed 42 --trace | logviz
  logviz run.jsonl --term 4 --just VOTE,LEAD | less -R
  VERBOSE=1 go test -run 3A | logviz          (dslogs format: "008260 LEAD S1 message")
  logviz run.jsonl --print --width 200 --peers 0,1

Exit codes: 0 ok, 1 unreadable input, 2 usage error.`,
    )
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, "logviz: ").replace(/\n(?=.)/g, " ")) });
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") process.exit(0);
      process.exit(2);
    }
    throw e;
  }
  const o = program.opts<Options>();
  const file = program.args[0];
  let filter: Filter;
  try {
    filter = buildFilter(o);
    parseWidth(o.width);
  } catch (e) {
    if (e instanceof FilterError || e instanceof UsageError) fail(e.message, 2);
    throw e;
  }
  if (file !== undefined) {
    try {
      const st = statSync(file);
      if (st.isDirectory()) fail(`${file} is a directory`, 1);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      fail(`cannot open ${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code)}`, 1);
    }
  } else if (process.stdin.isTTY) {
    fail("no input: give a FILE, or pipe a trace in (raftlab run ... --trace | logviz); see --help", 2);
  }
  const keys = o.print || !process.stdout.isTTY ? null : openKeyboard();
  if (keys === null) return runPrint(file, filter, o);
  return runInteractive(file, filter, o, keys);
}

main(process.argv).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e), 1));
