// The batch journal: `<out>/journal.jsonl`, one JSON line per finished run, written with one write(2)
// as the run finishes. The kernel holds a written line even if the process is then killed (SIGKILL,
// OOM killer), so a killed batch loses only the runs that were in flight: `raftlab triage DIR` and
// `raftlab batch … --resume DIR` read the journal when no complete report.json is there.
//
// Lines: a header `{"journal": "raftlab-batch-journal", "version": 1, "impl": …, "batch": {…}}` each
// time a batch starts or resumes in the folder, `{"run": RunRecord}` per finished run, and
// `{"end": true}` when the batch wrote its report.json.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
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
  ) {
    this.fd = fd;
  }

  /**
   * Opens `<outDir>/journal.jsonl` and writes a header: appending for a resumed batch (the earlier
   * batch's lines stay, the runs it recorded count), from empty for a new batch (an old journal in a
   * reused folder would otherwise lend its runs to this batch's triage).
   */
  static open(outDir: string, header: JournalHeader, append: boolean): Journal {
    const path = join(outDir, JOURNAL_FILE);
    const journal = new Journal(path, openSync(path, append ? "a" : "w"));
    journal.line({ journal: JOURNAL_FORMAT, version: JOURNAL_VERSION, ...header });
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
    if (this.fd === null) return;
    const bytes = Buffer.from(`${JSON.stringify(value)}\n`);
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off);
  }
}

export interface JournalContents {
  /** The last header: the batch that wrote the latest lines. */
  readonly header: JournalHeader | null;
  /** Every run recorded, one per (test, seed) (a later line wins), in the order they finished. */
  readonly runs: readonly RunRecord[];
  /** The last batch to write here ended normally (its report.json is complete). */
  readonly ended: boolean;
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
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (i === lines.length - 1) break; // no newline after it: cut while being written
      throw new ReportError(`${path}:${i + 1}: not a journal line (JSON)`);
    }
    if (typeof v !== "object" || v === null) throw new ReportError(`${path}:${i + 1}: not a journal line`);
    if (v["journal"] === JOURNAL_FORMAT) {
      if (v["version"] !== JOURNAL_VERSION) throw new ReportError(`${path}:${i + 1}: journal version ${String(v["version"])}; this raftlab reads ${JOURNAL_VERSION}`);
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
  return { header, runs: [...runs.values()], ended };
}

/** The journal of a batch output folder, if it has one. */
export function journalIn(dir: string): string | null {
  const p = join(dir, JOURNAL_FILE);
  return existsSync(p) ? p : null;
}

/** Marks the journal in `dir` (if any) complete, once report.json holds every run it lists. */
export function markJournalEnded(dir: string): void {
  const p = journalIn(dir);
  if (p === null) return;
  const fd = openSync(p, "a");
  try {
    writeSync(fd, `${JSON.stringify({ end: true })}\n`);
  } finally {
    closeSync(fd);
  }
}
