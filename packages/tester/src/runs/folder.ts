// A run kind's output folder (`-o DIR`) for the length of one batch or stress run: made at the start
// (so the journal holds every run from the first one that finishes), locked for one writer, written only
// with atomic writes, and removed again at the end when nothing worth keeping went into it.

import { readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeDirs } from "./artifacts.js";
import { writeFileAtomic } from "./atomic.js";
import { JOURNAL_FILE } from "./journal.js";
import { LOCK_FILE, lockFolder, type FolderLock } from "./lock.js";

export class OutputFolder {
  private lock: FolderLock | null;

  private constructor(
    readonly dir: string,
    /** The folders this run created (deepest last), to remove if it leaves nothing in them. */
    private readonly created: readonly string[],
    lock: FolderLock,
  ) {
    this.lock = lock;
  }

  /**
   * Makes `dir` (and its parents) and takes its lock for `command`. Throws a one-line UsageError when
   * another process writes there; file system errors as they are.
   */
  static open(dir: string, command: string): OutputFolder {
    const first = makeDirs(dir);
    const created: string[] = [];
    if (first !== null) {
      // makeDirs returns the first folder it made; every folder below it on the way to dir is new too.
      for (let p = resolve(dir); p.length >= first.length; p = resolve(p, "..")) {
        created.unshift(p);
        if (p === first) break;
      }
    }
    return new OutputFolder(dir, created, lockFolder(dir, command));
  }

  /** Writes `name` in the folder atomically (see atomic.ts); `durable` also syncs the folder. */
  write(name: string, text: string, durable = false): void {
    writeFileAtomic(join(this.dir, name), text, { syncDir: durable });
  }

  /** Whether the folder holds anything besides this run's journal and lock (saved runs, a report). */
  holdsResults(): boolean {
    try {
      return readdirSync(this.dir).some((n) => n !== JOURNAL_FILE && n !== LOCK_FILE);
    } catch {
      return false;
    }
  }

  /**
   * Ends this run's hold on the folder. With `discard`, a folder this run made is removed again if it
   * holds nothing but the journal (a batch whose runs all passed saves nothing, as before).
   */
  close(discard: boolean): void {
    if (discard && this.created.length > 0 && !this.holdsResults()) {
      rmSync(join(this.dir, JOURNAL_FILE), { force: true });
      this.lock?.release();
      this.lock = null;
      for (const d of [...this.created].reverse()) {
        try {
          rmdirSync(d);
        } catch {
          break; // not empty (something else went there): keep it and its parents
        }
      }
      return;
    }
    this.lock?.release();
    this.lock = null;
  }

  /** Whether this run made the folder (a folder that was there before is never removed). */
  get madeIt(): boolean {
    return this.created.length > 0;
  }
}
