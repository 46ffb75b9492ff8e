// Writes report.html and a page per saved failing run beside its file: `<stem>.html` next to
// `<stem>.jsonl` (batch) or `<iteration>.log` (stress). One call for batch, stress and `triage --html`.
// Run pages are logviz's (renderRunPage), with the report's exact replay command. The number of pages
// is capped (group examples first), and a run's page is skipped, with a note, when its file cannot be
// read; the report page itself is written last, so its links point only at pages that exist.

import { runPageOfFile } from "@raftlab/logviz/html";
import { rmSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { writeReportFile } from "../files.js";
import type { RunRecord } from "../record.js";
import { ReportError } from "../report.js";
import type { ShrunkExample } from "../shrunk.js";
import { buildReportModel, failingInPageOrder, shrunkOf, type ReportPageInput, type RunLinks } from "./model.js";
import { renderReportPage } from "./page.js";

export const REPORT_HTML = "report.html";
/** Run pages written per report (each reads its whole trace). */
export const MAX_RUN_PAGES = 100;
/** Rows a run page holds (the newest: a failure is at the end); a batch trace may be up to its cap. */
export const RUN_PAGE_MAX_ROWS = 300_000;

export interface ReportHtmlOptions {
  /** The folder report.html goes into; the runs' saved file names are relative to it. */
  readonly dir: string;
  /** The saved file a failing run's page is rendered from (batch: its trace; stress: its log), or null. */
  readonly sourceOf: (run: RunRecord) => string | null;
  /**
   * Render a page only when logviz found peer events in the file. Stress logs are any program's output:
   * a log with none stays a link to the .log.
   */
  readonly needPeerEvents: boolean;
  /** The run page's title (default: `<test> <seed>`). */
  readonly runTitle?: (run: RunRecord) => string;
  readonly maxPages?: number;
}

export interface WrittenHtml {
  readonly report: string;
  readonly pages: number;
  /** Pages not written, one line each (unreadable file, path outside the folder). */
  readonly problems: readonly string[];
}

/** A saved file name that stays inside the folder (a report could name anything). */
function insideFolder(name: string): boolean {
  return name !== "" && !isAbsolute(name) && !name.split(/[\\/]/).includes("..");
}

/** Writes a page whole or not at all: a full disk must not leave half a page that links nowhere. */
function writePage(path: string, html: string): void {
  try {
    writeReportFile(path, html);
  } catch (e) {
    rmSync(path, { force: true });
    throw e;
  }
}

/** `<stem>.html` for `<stem>.jsonl`, `<stem>.jsonl.gz`, `<stem>.log` (or any other extension). */
export function pageNameOf(file: string): string {
  return `${file.replace(/\.gz$/, "").replace(/\.[^./]*$/, "")}.html`;
}

/** Writes the run pages and report.html into `options.dir`; throws ReportError if report.html cannot be written. */
export function writeReportHtml(input: ReportPageInput, options: ReportHtmlOptions): WrittenHtml {
  const maxPages = options.maxPages ?? MAX_RUN_PAGES;
  const pageOfSource = new Map<string, string | null>();
  const problems: string[] = [];
  let pages = 0;
  let capped = 0;
  /** Renders the page of a saved file once, within the cap; a failure is a note, not an error. */
  const renderOnce = (source: string, title: string, replay: string | null): void => {
    if (pageOfSource.has(source)) return;
    if (!insideFolder(source)) {
      pageOfSource.set(source, null);
      problems.push(`no page for ${source}: not a file name inside ${options.dir}`);
      return;
    }
    if (pages >= maxPages) {
      capped += 1;
      return;
    }
    const name = pageNameOf(source);
    try {
      const { data, html, droppedRows } = runPageOfFile(join(options.dir, source), { title, replay, maxRows: RUN_PAGE_MAX_ROWS });
      if (options.needPeerEvents && !data.rows.src.some((s) => s >= 0)) {
        pageOfSource.set(source, null);
        return;
      }
      writePage(join(options.dir, name), html);
      pageOfSource.set(source, name);
      pages += 1;
      if (droppedRows > 0) problems.push(`${name} holds the last ${RUN_PAGE_MAX_ROWS} rows of ${source} (${droppedRows} earlier rows left out)`);
    } catch (e) {
      pageOfSource.set(source, null);
      problems.push(`no page for ${source}: ${(e instanceof Error ? e.message : String(e)).split("\n", 1)[0] ?? ""}`);
    }
  };
  const ordered = failingInPageOrder(input.runs);
  const runTitle = (run: RunRecord): string => options.runTitle?.(run) ?? `${run.test} ${run.seed}`;
  // Group examples come first in `ordered`; a shrunk example's page follows its own.
  for (const run of ordered) {
    const source = options.sourceOf(run);
    if (source !== null) renderOnce(source, runTitle(run), input.replayOf(run));
    const shrunk = shrunkOf(input, run);
    if (shrunk?.trace !== undefined) renderOnce(shrunk.trace, `${runTitle(run)}, shrunk`, shrunk.replay ?? null);
  }
  if (capped > 0) problems.push(`${capped} more saved runs have no page (at most ${maxPages} pages): open their saved files with logviz`);
  const linksOf = (run: RunRecord): RunLinks => {
    const source = options.sourceOf(run);
    const files = [run.trace, run.log].filter((f): f is string => f !== null && insideFolder(f));
    return { page: source === null ? null : (pageOfSource.get(source) ?? null), files: [...new Set(files)] };
  };
  const shrunkLinksOf = (s: ShrunkExample): RunLinks => ({
    page: s.trace === undefined ? null : (pageOfSource.get(s.trace) ?? null),
    files: [s.schedule, s.trace].filter((f): f is string => f !== undefined && insideFolder(f)),
  });
  const model = buildReportModel({ ...input, notes: [...input.notes, ...problems] }, linksOf, shrunkLinksOf);
  const report = join(options.dir, REPORT_HTML);
  try {
    writePage(report, renderReportPage(model));
  } catch (e) {
    throw e instanceof ReportError ? e : new ReportError(`cannot write ${report}: ${String(e)}`);
  }
  return { report, pages, problems };
}
