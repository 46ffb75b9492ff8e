// The trace of `raftlab run`: JSON lines to stdout or a file, and the lab's result lines in it too.

import { closeSync, openSync, writeSync } from "node:fs";
import { escapeControls, formatTraceEvent, type TraceEvent, type TraceSink } from "@raftlab/raft";

/** A write of the trace failed for a reason other than the reader going away (full disk, I/O error). */
export function describeWriteError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === "ENOSPC" ? "ENOSPC: no space left on device" : escapeControls(err.code ?? err.message ?? String(e));
}

/** A lab line without its wall-clock figure: `... Passed -- 3.0 3 56 6412 0   43ms wall` and
 * `--- FAIL: T (3.0s virtual, 43ms wall)` lose the `43ms wall`. */
export function withoutWallTime(line: string): string {
  return line.replace(/(?:, *| +)\d+ms wall(?=\)?$)/, "");
}

/** Writes JSON lines to stdout or a file, in 64 KB chunks (or at once when pacing a live demo). */
export class TraceWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly fd: number | null;
  private broken = false;
  /** Why the trace file could not be written (full disk, ...): the run then fails. */
  error: string | null = null;
  constructor(
    file: string | null,
    private readonly live: boolean,
    private readonly writeStdout: (text: string) => void,
  ) {
    this.fd = file === null ? null : openSync(file, "w");
  }
  /** Time of the last event written: a result line is placed at the time its test reached. */
  private lastT = 0;
  readonly sink: TraceSink = (e: TraceEvent): void => {
    if (this.broken) return;
    this.lastT = e.t;
    const line = formatTraceEvent(e) + "\n";
    this.buf.push(line);
    this.size += line.length;
    if (this.live || this.size >= 65536) this.flush();
  };
  /** Trace lines formatted elsewhere (the isolated child); `lastT` is the time of the last one. */
  append(text: string, lastT: number): void {
    if (this.broken || text === "") return;
    this.lastT = lastT;
    this.buf.push(text);
    this.size += text.length;
    if (this.live || this.size >= 65536) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0 || this.broken) return;
    const text = this.buf.join("");
    this.buf = [];
    this.size = 0;
    if (this.fd === null) {
      // A reader that goes away (EPIPE) ends the process quietly; other stdout errors are one line
      // (see exit-hook.ts).
      this.writeStdout(text);
      return;
    }
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off);
    } catch (e) {
      this.broken = true;
      this.error = describeWriteError(e);
    }
  }
  /** Puts a lab result line (`Test (3A): ...`, `  ... Passed --`, the summary) into the trace as a
   * harness `Output` event, so a reader of a piped trace keeps it (logviz prints them again on exit).
   * Wall-clock figures are left out: the trace stays a function of (test, seed). A line the run printed
   * at a known virtual time (`atMs`, e.g. `--- FAIL` at the failure) is placed there, not at the last event. */
  output(line: string, atMs?: number): void {
    this.sink({
      t: atMs !== undefined && atMs > this.lastT ? atMs : this.lastT,
      src: -1,
      term: -1,
      state: "none",
      op: "Output",
      topic: "TEST",
      msg: withoutWallTime(line),
    });
    this.flush();
  }
  close(): void {
    this.flush();
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch (e) {
      this.error ??= describeWriteError(e);
    }
  }
}
