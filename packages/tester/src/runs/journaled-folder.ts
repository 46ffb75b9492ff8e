// A batch's output folder with its journal: opened (made, locked, journal started) before the first
// run, and finished after the last: report.json written atomically, the journal marked complete, the
// lock given up. A batch that saved nothing removes the folder it made, as it always has.

import { join } from "node:path";
import { saveErrorText } from "./artifacts.js";
import { OutputFolder } from "./folder.js";
import { Journal, type JournalHeader } from "./journal.js";
import { serialiseReport, type BatchReport } from "./report.js";

export const REPORT_FILE = "report.json";

export interface JournaledFolder {
  readonly dir: string;
  readonly journal: Journal;
  /**
   * Decides whether the folder stays: always with `force` (an interrupted batch keeps it to be resumed),
   * else when something was saved in it or it was there before; otherwise it is removed. Returns that.
   */
  keep(force: boolean): boolean;
  /** @internal the folder and its lock, for finishFolder. */
  readonly folder: OutputFolder;
}

/** The report.json a batch left in its folder: its path, and the one-line error if it could not be written. */
export interface FolderReport {
  readonly path: string;
  readonly error: string | null;
}

/**
 * Makes and locks `dir` for `raftlab batch`, and opens its journal (appending when resuming). Throws a
 * one-line UsageError when another process writes there or the journal is a symbolic link.
 */
export function openJournaledFolder(dir: string, header: JournalHeader, append: boolean): JournaledFolder {
  const folder = OutputFolder.open(dir, "raftlab batch");
  let journal: Journal;
  try {
    journal = Journal.open(dir, header, append);
  } catch (e) {
    folder.close(true);
    throw e;
  }
  let kept: boolean | null = null;
  return {
    dir,
    journal,
    folder,
    keep(force) {
      if (kept !== null) return kept;
      kept = force || folder.holdsResults() || !folder.madeIt;
      if (!kept) {
        journal.close();
        folder.close(true);
      }
      return kept;
    },
  };
}

/** Writes the report into a kept folder (null: the folder was removed), marks the journal ended, unlocks. */
export function finishFolder(f: JournaledFolder, report: BatchReport | null): FolderReport | null {
  if (report === null) {
    f.journal.close();
    f.folder.close(false);
    return null;
  }
  const path = join(f.dir, REPORT_FILE);
  let error: string | null = null;
  try {
    f.folder.write(REPORT_FILE, serialiseReport(report), true);
  } catch (e) {
    error = `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? saveErrorText(e)}`;
  }
  try {
    // report.json now holds every run: the journal is only a record of how it got there.
    if (error === null) f.journal.end();
  } catch (e) {
    error = `cannot mark ${f.journal.path} complete: ${(e as NodeJS.ErrnoException).code ?? saveErrorText(e)}`;
  } finally {
    f.journal.close();
    f.folder.close(false);
  }
  return { path, error };
}
