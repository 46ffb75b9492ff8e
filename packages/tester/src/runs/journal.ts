// The batch journal: `<out>/journal.jsonl`, one JSON line per finished run, written with one write(2)
// as the run finishes. The kernel holds a written line even if the process is then killed (SIGKILL,
// OOM killer), so a killed batch loses only the runs that were in flight: `raftlab triage DIR` and
// `raftlab batch … --resume DIR` read the journal when no complete report.json is there.
//
// Lines: a header `{"journal": "raftlab-batch-journal", "version": 1, "impl": …, "batch": {…}}` each
// time a batch starts or resumes in the folder, `{"run": RunRecord}` per finished run, and
// `{"end": true}` when the batch wrote its report.json.

import { closeSync, existsSync, fstatSync, ftruncateSync, readFileSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { openAppendNoFollow, writeFileAtomic } from "./atomic.js";
import type { RunRecord } from "./record.js";
import { ReportError, checkRecord, parseBatchMeta, type BatchMeta } from "./report.js";

export const JOURNAL_FILE = "journal.jsonl";
export const JOURNAL_FORMAT = "raftlab-batch-journal";
export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  readonly impl: string | null;
  readonly batch: BatchMeta;
  readonly startedAt: string;
}

/** Appends to a batch's journal; every method throws the file system's error (ENOSPC, EIO) as is. */
export class Journal {
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    /** What opening repaired (a torn last line a crash left), as one line; null when nothing. */
    readonly repair: string | null,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `<outDir>/journal.jsonl` and writes a header: appending for a resumed batch (the earlier
   * batch's lines stay, the runs it recorded count; a torn last line is repaired first), from empty for
   * a new batch (an old journal in a reused folder would otherwise lend its runs to this batch's triage).
   * A new journal replaces whatever was at the name (a symbolic link included: atomic.ts); appending
   * refuses a link with a one-line UsageError.
   */
  static open(outDir: string, header: JournalHeader, append: boolean): Journal {
    const path = join(outDir, JOURNAL_FILE);
    const headerLine = `${JSON.stringify({ journal: JOURNAL_FORMAT, version: JOURNAL_VERSION, ...header })}\n`;
    if (!append) {
      writeFileAtomic(path, headerLine, { syncDir: true });
      return new Journal(path, openAppendNoFollow(path), null);
    }
    const fd = openAppendNoFollow(path, true);
    let repair: string | null;
    try {
      repair = repairTornTail(fd, path);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const journal = new Journal(path, fd, repair);
    journal.write(headerLine);
    return journal;
  }

  /** Records a finished run: one line, one write, before the batch moves on. */
  append(record: RunRecord): void {
    this.line({ run: record });
  }

  /** Marks the batch complete: its report.json now holds every run. */
  end(): void {
    this.line({ end: true });
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  private line(value: unknown): void {
    this.write(`${JSON.stringify(value)}\n`);
  }

  private write(text: string): void {
    if (this.fd === null) return;
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off);
  }
}

/** Bytes read back from the end at a time when looking for the last complete line. */
const TAIL_CHUNK = 64 * 1024;

/**
 * Makes the journal open on `fd` end with a complete line, before anything is appended: a crash
 * mid-append leaves part of a line, and a header appended to it would spoil both. A last line that is
 * whole JSON but lacks its newline gets the newline; a torn one is cut off. Returns one line saying
 * what was done, or null when the journal was whole.
 */
export function repairTornTail(fd: number, path: string): string | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return null;
  // Find the last newline, reading backwards a chunk at a time (bounded by the file's size).
  let cut = 0;
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const buf = Buffer.alloc(end - start);
    readSync(fd, buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      cut = start + nl + 1;
      break;
    }
    end = start;
  }
  const fragment = Buffer.alloc(size - cut);
  readSync(fd, fragment, 0, fragment.length, cut);
  if (parsesAsLine(fragment.toString("utf8"))) {
    writeSync(fd, "\n", size);
    return `${path}: its last line lacked a newline (a crash mid-write); completed it`;
  }
  ftruncateSync(fd, cut);
  return `${path}: dropped a torn last line (${size - cut} bytes, a crash mid-write) before appending`;
}

function parsesAsLine(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * A journal line that does not parse may be a torn line with a whole line appended to it (a resume by a
 * raftlab that did not repair the tail): the whole line is the longest suffix that starts a journal
 * line and parses. Returns it, or null.
 */
function lineAfterTornFragment(line: string): string | null {
  for (const m of line.matchAll(/\{"(?:journal|run|end)":/g)) {
    if (m.index === 0) continue;
    const rest = line.slice(m.index);
    if (parsesAsLine(rest)) return rest;
  }
  return null;
}

export interface JournalContents {
  /** The last header: the batch that wrote the latest lines. */
  readonly header: JournalHeader | null;
  /** Every run recorded, one per (test, seed) (a later line wins), in the order they finished. */
  readonly runs: readonly RunRecord[];
  /** The last batch to write here ended normally (its report.json is complete). */
  readonly ended: boolean;
  /** Torn lines skipped (a crash mid-write): each lost at most the one run it was recording. */
  readonly tornLines: number;
}

/** Reads a journal. A cut last line (a kill or a full disk mid-write) is ignored; other bad lines are errors. */
export function readJournal(path: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ReportError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const lines = text.split("\n");
  const runs = new Map<string, RunRecord>();
  let header: JournalHeader | null = null;
  let ended = false;
  let tornLines = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? "";
    if (line.trim() === "") continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      tornLines += 1;
      if (i === lines.length - 1) break; // no newline after it: cut while being written
      const rest = lineAfterTornFragment(line);
      if (rest === null) throw new ReportError(`${path}:${i + 1}: not a journal line (JSON)`);
      line = rest;
      v = JSON.parse(line) as Record<string, unknown>;
    }
    if (typeof v !== "object" || v === null) throw new ReportError(`${path}:${i + 1}: not a journal line`);
    if (v["journal"] === JOURNAL_FORMAT) {
      if (v["version"] !== JOURNAL_VERSION)
        throw new ReportError(`${path}:${i + 1}: journal version ${String(v["version"])}; this raftlab reads ${JOURNAL_VERSION}`);
      header = {
        impl: typeof v["impl"] === "string" ? v["impl"] : null,
        batch: parseBatchMeta(v["batch"], `${path}:${i + 1}`),
        startedAt: typeof v["startedAt"] === "string" ? v["startedAt"] : "",
      };
      ended = false;
    } else if ("run" in v) {
      const r = checkRecord(v["run"], `${path}:${i + 1}`);
      const key = `${r.test}\u0000${r.seed}`;
      runs.delete(key);
      runs.set(key, r);
    } else if (v["end"] === true) {
      ended = true;
    } else {
      throw new ReportError(`${path}:${i + 1}: not a journal line`);
    }
  }
  if (header === null) throw new ReportError(`${path} is not a raftlab batch journal (no header line)`);
  return { header, runs: [...runs.values()], ended, tornLines };
}

/** The journal of a batch output folder, if it has one. */
export function journalIn(dir: string): string | null {
  const p = join(dir, JOURNAL_FILE);
  return existsSync(p) ? p : null;
}
