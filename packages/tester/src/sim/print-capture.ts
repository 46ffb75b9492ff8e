// What the Raft under test prints during a run (issue 18 §3): every console.log/info/warn/error/debug and
// process.stdout/stderr.write between the run's start and end becomes a trace row (op "Print", src = the
// peer whose code is running, t = the virtual time, msg = the line, escaped) and still reaches the
// terminal: it is passed on to whatever stdout/stderr writer was in place before the run (the CLI's,
// which escapes it; a batch worker's, which keeps it as the run's output), optionally prefixed with its
// peer and virtual time (--label-prints).
//
// A restart probe's copy (sim/probe-sandbox.ts) prints nothing: its lines are dropped, or with
// `showProbeOutput` passed on labelled as the probe's; they never reach the trace.
//
// The tester's own output never comes through here: the runner's `output` and the CLI's writers use
// functions bound before the run. console methods are replaced as well as the stream writes, because
// a test runner (vitest) may have its own console that does not write to process.stdout.

import { format } from "node:util";
import { escapeControls, TOPICS, type Topic, type TraceSink } from "@raftlab/raft";
import { probeScope } from "./probe-sandbox.js";

export interface PrintCaptureOptions {
  /** The virtual clock (ms). */
  readonly now: () => number;
  /** The peer whose code is running, or -1 (sim/virtual-globals.ts `speaker`). */
  readonly speaker: () => number;
  /** Receives a Print row per line; null: tracing off. */
  readonly trace: TraceSink | null;
  /** Prefix each line passed on to the terminal with its peer and virtual time. */
  readonly label?: boolean;
  /** Pass a probe copy's prints on (labelled as the probe's) instead of dropping them. */
  readonly showProbeOutput?: boolean;
}

export interface PrintCapture {
  install(): void;
  /** Ends a partial last line, puts the previous console and writers back. Idempotent. */
  restore(): void;
}

/** A line longer than this is cut (a Raft printing its whole log in one line must not make one huge row). */
export const MAX_PRINT_CHARS = 4096;
/** A partial line (a write without a newline) longer than this is ended as a line of its own. */
const MAX_PARTIAL_CHARS = 64 * 1024;

const CONSOLE_METHODS = ["log", "info", "debug", "warn", "error"] as const;
type ConsoleMethod = (typeof CONSOLE_METHODS)[number];
type Channel = "stdout" | "stderr";
const CHANNEL: Record<ConsoleMethod, Channel> = { log: "stdout", info: "stdout", debug: "stdout", warn: "stderr", error: "stderr" };
/** Whether console cannot be patched (node --frozen-intrinsics freezes it). */
const CONSOLE_FROZEN = Object.isFrozen(console);

/** dslogs: `<time> <TOPIC> ...`; the topic is the row's when it is one of the trace schema's. */
const DSLOG_TOPIC = /^\s*\d{1,12} +([A-Z][A-Z0-9]{1,7}) /;
const KNOWN_TOPICS: ReadonlySet<string> = new Set(TOPICS);

/** The row's topic: a dslogs line's own (when the schema has it), else by channel. */
export function printTopic(line: string, channel: Channel): Topic {
  const m = DSLOG_TOPIC.exec(line);
  if (m !== null && KNOWN_TOPICS.has(m[1] as string)) return m[1] as Topic;
  return channel === "stderr" ? "WARN" : "INFO";
}

/** `[S1 12.345s] ` or `[-- 12.345s] ` (outside any peer). */
export function printLabel(peer: number, ms: number): string {
  return `[${peer >= 0 ? `S${peer}` : "--"} ${(ms / 1000).toFixed(3)}s] `;
}

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

export function capturePrints(opts: PrintCaptureOptions): PrintCapture {
  const { now, speaker, trace } = opts;
  const label = opts.label === true;
  const showProbe = opts.showProbeOutput === true;
  let saved: { console: Record<ConsoleMethod, unknown>; stdout: Write; stderr: Write } | null = null;
  /** Per channel and peer, the text after the last newline. */
  const partial = new Map<string, { peer: number; channel: Channel; text: string }>();

  const pass = (channel: Channel, text: string): void => {
    if (saved === null) return;
    saved[channel].call(channel === "stdout" ? process.stdout : process.stderr, text);
  };

  const line = (peer: number, channel: Channel, text: string): void => {
    const t = now();
    const cut = text.length > MAX_PRINT_CHARS ? `${text.slice(0, MAX_PRINT_CHARS)}… (${text.length - MAX_PRINT_CHARS} more chars)` : text;
    if (trace !== null) trace({ t, src: peer, term: -1, state: "none", op: "Print", topic: printTopic(cut, channel), msg: escapeControls(cut, { tab: true }) });
    if (label) pass(channel, `${printLabel(peer, t)}${text}\n`);
  };

  const print = (channel: Channel, text: string): void => {
    const probe = probeScope();
    if (probe !== null) {
      if (showProbe) pass(channel, text.replace(/^(?=.)/gm, `[probe copy of S${probe.peer}] `));
      return;
    }
    if (!label) pass(channel, text);
    const peer = speaker();
    const key = `${channel}${peer}`;
    const held = partial.get(key);
    let rest = held === undefined ? text : held.text + text;
    for (let nl = rest.indexOf("\n"); nl >= 0; nl = rest.indexOf("\n")) {
      line(peer, channel, rest.slice(0, rest.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
      rest = rest.slice(nl + 1);
    }
    if (rest.length > MAX_PARTIAL_CHARS) {
      line(peer, channel, rest);
      rest = "";
    }
    if (rest === "") partial.delete(key);
    else partial.set(key, { peer, channel, text: rest });
  };

  const streamWrite =
    (channel: Channel): Write =>
    (chunk, encoding, callback) => {
      print(channel, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") (done as () => void)();
      return true;
    };

  return {
    install(): void {
      if (saved !== null) return;
      const c = console as unknown as Record<ConsoleMethod, unknown>;
      saved = {
        console: { log: c.log, info: c.info, debug: c.debug, warn: c.warn, error: c.error },
        stdout: process.stdout.write as Write,
        stderr: process.stderr.write as Write,
      };
      // Under frozen intrinsics (the isolated child, node --frozen-intrinsics) console is frozen; Node's
      // own console writes through process.stdout/stderr.write, which are replaced below.
      if (!CONSOLE_FROZEN) for (const m of CONSOLE_METHODS) c[m] = (...args: unknown[]): void => print(CHANNEL[m], `${format(...args)}\n`);
      process.stdout.write = streamWrite("stdout") as typeof process.stdout.write;
      process.stderr.write = streamWrite("stderr") as typeof process.stderr.write;
    },
    restore(): void {
      if (saved === null) return;
      for (const p of partial.values()) line(p.peer, p.channel, p.text);
      partial.clear();
      const c = console as unknown as Record<ConsoleMethod, unknown>;
      if (!CONSOLE_FROZEN) for (const m of CONSOLE_METHODS) c[m] = saved.console[m];
      process.stdout.write = saved.stdout as typeof process.stdout.write;
      process.stderr.write = saved.stderr as typeof process.stderr.write;
      saved = null;
    },
  };
}
