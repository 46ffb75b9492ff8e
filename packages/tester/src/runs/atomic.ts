// Crash-safe and link-safe file writes, the one way every run kind (batch, stress) and `raftlab init`
// write a file. A file is written whole into a temporary name in its own folder, fsynced, then renamed
// over the target: a reader (or a crash at any moment) sees the old file or the new one, never half of
// one. rename(2) replaces a symbolic link at the target with the file, so a planted link never has its
// target overwritten. Appends (the journal) open with O_NOFOLLOW, so they refuse a link instead.

import { closeSync, constants, copyFileSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { UsageError } from "@raftlab/raft/terminal";

export interface AtomicWriteOptions {
  /**
   * Also fsync the folder after the rename, so the new name itself survives a power cut. Reports and
   * the journal's creation want it; a run's artifacts (many, each named in the journal and the report)
   * need only the file's own fsync, which keeps --archive batches from paying two syncs per run.
   */
  readonly syncDir?: boolean;
}

/** A temporary name beside `path`: same folder (so the rename is atomic), hidden, unique per writer. */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** fsync a folder so a rename or a new file in it is durable; a file system that refuses it is no error. */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some file systems (and platforms) cannot fsync a directory; the file's own fsync still holds.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Creates `path` exclusively, never following a link, and writes all of `data`; returns nothing, throws fs errors. */
function writeNew(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically (temp file, fsync, rename). Throws the file system's error as is. */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempBeside(path);
  try {
    writeNew(temp, data);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  if (options.syncDir === true) syncDir(dirname(path));
}

/**
 * Moves a finished file (a worker's spill file in /tmp) to `to`, atomically: fsync, then rename; across
 * file systems, a copy into a temporary name beside `to`, fsync, rename. Never writes through a link at `to`.
 */
export function moveFileAtomic(from: string, to: string): void {
  const fd = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(from, to);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
  }
  const temp = tempBeside(to);
  try {
    copyFileSync(from, temp, constants.COPYFILE_EXCL);
    const t = openSync(temp, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      fsyncSync(t);
    } finally {
      closeSync(t);
    }
    renameSync(temp, to);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  rmSync(from, { force: true });
}

/**
 * Opens `path` to append (and, with `readable`, to read back), creating it, refusing a symbolic link
 * there (O_NOFOLLOW) with a UsageError (exit 2).
 */
export function openAppendNoFollow(path: string, readable = false): number {
  try {
    return openSync(path, (readable ? constants.O_RDWR : constants.O_WRONLY) | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP") throw symlinkRefusal(path);
    throw e;
  }
}

/** Whether `path` is a symbolic link (false when nothing is there). */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The one-line refusal to write through a link. */
export function symlinkRefusal(path: string): UsageError {
  return new UsageError(`${path} is a symbolic link: raftlab never writes through one (remove it, or choose another folder)`);
}

/** Throws a UsageError if `path` is a symbolic link (for folders a command would write into). */
export function refuseSymlink(path: string): void {
  if (isSymlink(path)) throw symlinkRefusal(path);
}
