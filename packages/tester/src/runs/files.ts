// Report files of any run kind: checked writable before the runs, written with one-line errors.

import { accessSync, constants, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { makeDirs } from "./artifacts.js";
import { writeFileAtomic } from "./atomic.js";
import { ReportError } from "./report.js";

/**
 * Checks up front that the output folder and the report files can be written, so a typo in a path is
 * a one-line error before the batch, not a failure after an hour of runs. Creates nothing that stays:
 * a folder made for the check is removed again (the batch makes it when it first saves a run).
 */
export function checkWritable(options: { readonly outDir: string; readonly jsonPath: string | null; readonly junitPath: string | null }): void {
  const probeDir = (dir: string, what: string): void => {
    let created: string | null;
    try {
      created = makeDirs(dir);
      accessSync(dir, constants.W_OK);
    } catch (e) {
      throw new ReportError(`cannot write ${what} ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (created !== null) rmSync(created, { recursive: true, force: true });
  };
  probeDir(options.outDir, "to the output folder");
  if (options.jsonPath !== null) probeDir(dirname(resolve(options.jsonPath)), "the JSON report into");
  if (options.junitPath !== null) probeDir(dirname(resolve(options.junitPath)), "the JUnit report into");
}

/**
 * Writes a report, creating its folder, atomically (a crash leaves the old report or the new one, and a
 * symbolic link at the path is replaced, never written through); a failure is a one-line ReportError.
 */
export function writeReportFile(path: string, text: string): void {
  try {
    makeDirs(dirname(path));
    writeFileAtomic(path, text, { syncDir: true });
  } catch (e) {
    throw new ReportError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
