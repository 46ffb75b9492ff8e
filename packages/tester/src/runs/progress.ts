// Progress while a batch runs. On a TTY: a live panel (per-test done/total and failures, a test turned
// red at its first failure; an overall bar with rate, ETA and elapsed time), redrawn in place with
// plain ANSI. Elsewhere (CI logs, pipes): one plain line every few seconds. Failures are printed as
// they happen in both modes.

import { escapeControls } from "@raftlab/raft";
import type { RunRecord } from "./record.js";
import { makeStyle, padEndVisible, visibleWidth, type Style } from "@raftlab/raft/terminal";
import { formatDuration } from "./duration.js";

export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

export interface ProgressOptions {
  /** The live panel and the periodic lines go here (stderr), so stdout carries only results. */
  readonly stream: ProgressStream;
  /** Failure lines go here (stdout). */
  readonly out: ProgressStream;
  readonly live: boolean;
  readonly style: Style;
  /** Plain mode: ms between lines. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** What is counted (default "runs") and how a failing one is named (default "<test> seed <seed>"). */
  readonly words?: ProgressWords;
}

/** The words progress uses, so that other runners (raftlab stress: iterations) can share it. */
export interface ProgressWords {
  readonly runs: string;
  name(record: RunRecord): string;
}

const BATCH_WORDS: ProgressWords = { runs: "runs", name: (r) => `${r.test} seed ${r.seed}` };

interface TestLine {
  done: number;
  total: number;
  failed: number;
}

/** Every failure gets its own line up to this many; after that only failures with a new signature. */
export const FAIL_LINES_ALL = 20;

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Progress {
  private readonly tests = new Map<string, TestLine>();
  private done = 0;
  private failed = 0;
  private total = 0;
  private roundStarted = 0;
  private roundDone = 0;
  private readonly batchStarted: number;
  private round = 0;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private frame = 0;
  private readonly now: () => number;
  private readonly style: Style;
  /** Signatures already announced: after the first FAIL_LINES_ALL failures only new ones get a line. */
  private readonly seenSignatures = new Set<string>();
  private quietFailures = 0;
  private readonly words: ProgressWords;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.words = options.words ?? BATCH_WORDS;
    this.batchStarted = this.now();
    this.style = options.style;
  }

  /** A new round (a batch has one; --loop has many) of `totals[test]` runs per test. */
  startRound(round: number, totals: ReadonlyMap<string, number>): void {
    this.round = round;
    for (const [test, n] of totals) {
      const line = this.tests.get(test) ?? { done: 0, total: 0, failed: 0 };
      line.total += n;
      this.tests.set(test, line);
      this.total += n;
    }
    this.roundStarted = this.now();
    this.roundDone = 0;
    if (this.timer === null) {
      const every = this.options.live ? 120 : (this.options.intervalMs ?? 5000);
      this.timer = setInterval(() => (this.options.live ? this.redraw() : this.plainLine()), every);
      this.timer.unref();
    }
    if (this.options.live) {
      this.options.stream.write("\u001b[?25l");
      this.redraw();
    } else if (round > 0) {
      this.options.out.write(`loop round ${round + 1}: ${[...totals.values()].reduce((a, b) => a + b, 0)} ${this.words.runs}\n`);
    }
  }

  /** A run counted from a --resume report: it advances the counts but prints nothing. */
  resumed(record: RunRecord): void {
    const line = this.tests.get(record.test);
    if (line !== undefined) {
      line.done += 1;
      if (!record.ok) line.failed += 1;
    }
    this.done += 1;
    if (!record.ok) {
      this.failed += 1;
      this.seenSignatures.add(record.signature ?? "");
    }
  }

  result(record: RunRecord, savedLog: string | null): void {
    const line = this.tests.get(record.test);
    if (line !== undefined) {
      line.done += 1;
      if (!record.ok) line.failed += 1;
    }
    this.done += 1;
    this.roundDone += 1;
    if (!record.ok) {
      this.failed += 1;
      const sig = record.signature ?? "";
      const isNew = !this.seenSignatures.has(sig);
      this.seenSignatures.add(sig);
      if (this.failed > FAIL_LINES_ALL && !isNew) {
        this.quietFailures += 1;
        return;
      }
      const msg = (record.message ?? "").split(/\r?\n/, 1)[0] ?? "";
      const shortMsg = escapeControls(msg.length > 160 ? `${msg.slice(0, 159)}…` : msg);
      const where = savedLog === null ? "" : this.style.dim(` (${escapeControls(savedLog)})`);
      const tag = this.failed > FAIL_LINES_ALL ? this.style.yellow(" (new signature)") : "";
      this.print(
        `${this.style.red("FAIL")}${tag} ${escapeControls(this.words.name(record))} [${escapeControls(record.kind ?? "fail")}]: ${shortMsg}${where}\n`,
      );
    }
  }

  /** Prints a line to stdout without tearing the live panel. */
  print(text: string): void {
    if (this.options.live) this.clear();
    this.options.out.write(text);
    if (this.options.live) this.redraw();
  }

  /** Removes the live panel (before the summary is printed). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.options.live) {
      this.redraw();
      this.drawnLines = 0;
      this.options.stream.write("\u001b[?25h");
    } else {
      this.plainLine();
    }
    if (this.quietFailures > 0) {
      this.options.out.write(`(${this.quietFailures} more failures with signatures already shown; see the triage below)\n`);
    }
  }

  private clear(): void {
    if (this.drawnLines > 0) this.options.stream.write(`\u001b[${this.drawnLines}F\u001b[J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    const lines = this.panel();
    this.clear();
    this.options.stream.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
    this.frame += 1;
  }

  private rate(): number {
    const secs = (this.now() - this.roundStarted) / 1000;
    return secs > 0 ? this.roundDone / secs : 0;
  }

  private eta(): number {
    const rate = this.rate();
    const remaining = this.total - this.done;
    return rate > 0 ? (remaining / rate) * 1000 : Number.NaN;
  }

  private statusParts(): string[] {
    const pct = this.total === 0 ? 100 : Math.floor((100 * this.done) / this.total);
    const sigs = this.seenSignatures.size;
    const failed = this.failed > 0 ? this.style.red(`${this.failed} failed (${sigs} signature${sigs === 1 ? "" : "s"})`) : "0 failed";
    return [
      ...(this.round > 0 ? [`round ${this.round + 1}`] : []),
      `${this.done}/${this.total} ${this.words.runs} (${pct}%)`,
      failed,
      `${this.rate().toFixed(1)} ${this.words.runs}/s`,
      `ETA ${formatDuration(this.eta())}`,
      `elapsed ${formatDuration(this.now() - this.batchStarted)}`,
    ];
  }

  /** The plain status line. */
  statusLine(): string {
    return this.statusParts().join(" · ");
  }

  /** The status, wrapped at its separators so that no line is wider than the terminal. */
  private statusLines(cols: number): string[] {
    const lines: string[] = [];
    let cur = "";
    for (const part of this.statusParts()) {
      const next = cur === "" ? part : `${cur} · ${part}`;
      if (cur !== "" && visibleWidth(next) > cols - 1) {
        lines.push(cur);
        cur = part;
      } else cur = next;
    }
    if (cur !== "") lines.push(cur);
    return lines;
  }

  private plainLine(): void {
    this.options.stream.write(`[${formatDuration(this.now() - this.batchStarted)}] ${this.statusLine()}\n`);
  }

  panel(): string[] {
    const s = this.style;
    const cols = Math.max(40, this.options.stream.columns ?? 80);
    const rows = Math.max(6, this.options.stream.rows ?? 24);
    const nameWidth = Math.min(40, Math.max(4, ...[...this.tests.keys()].map((t) => t.length)));
    const countWidth = String(Math.max(0, ...[...this.tests.values()].map((t) => t.total))).length;
    const cell = (rawTest: string, t: TestLine): string => {
      const test = escapeControls(rawTest);
      const finished = t.done === t.total;
      const mark = t.failed > 0 ? s.red("✗") : finished ? s.green("✓") : (SPINNER[this.frame % SPINNER.length] ?? "-");
      const name = t.failed > 0 ? s.red(padEndVisible(test, nameWidth)) : padEndVisible(test, nameWidth);
      const fails = t.failed > 0 ? s.red(` ${t.failed} failed`) : "";
      return `${mark} ${name} ${String(t.done).padStart(countWidth)}/${t.total}${fails}`;
    };
    // Room for "✗ name done/total NNNN failed" plus a gap.
    const cellWidth = nameWidth + 2 * countWidth + 18;
    const perRow = Math.max(1, Math.floor(cols / cellWidth));
    const maxCells = Math.max(1, (rows - 5) * perRow);
    let entries = [...this.tests];
    let hiddenNote: string | null = null;
    if (entries.length > maxCells) {
      // Not enough rows for every test: show failing ones first, then those running, then those not
      // started; tests finished clean are the ones left out (and counted).
      const rank = (t: TestLine): number => (t.failed > 0 ? 0 : t.done > 0 && t.done < t.total ? 1 : t.done === 0 ? 2 : 3);
      const shown = [...entries].sort((a, b) => rank(a[1]) - rank(b[1])).slice(0, maxCells - perRow);
      const keep = new Set(shown.map(([name]) => name));
      const hidden = entries.filter(([name]) => !keep.has(name));
      const clean = hidden.filter(([, t]) => t.failed === 0 && t.done === t.total).length;
      entries = shown;
      hiddenNote = s.dim(`… ${hidden.length} more tests (${clean} finished clean)`);
    }
    const cells = entries.map(([test, t]) => cell(test, t));
    const out: string[] = [];
    for (let i = 0; i < cells.length; i += perRow)
      out.push(
        cells
          .slice(i, i + perRow)
          .map((c) => padEndVisible(c, cellWidth))
          .join("")
          .trimEnd(),
      );
    if (hiddenNote !== null) out.push(hiddenNote);
    const barWidth = Math.max(10, Math.min(40, cols - 2));
    const filled = this.total === 0 ? barWidth : Math.floor((barWidth * this.done) / this.total);
    const bar = `${(this.failed > 0 ? s.red : s.green)("█".repeat(filled))}${s.dim("░".repeat(barWidth - filled))}`;
    out.push(bar);
    out.push(...this.statusLines(cols));
    return out;
  }
}

export function createProgress(out: ProgressStream, err: ProgressStream, colour: boolean, quiet: boolean, words?: ProgressWords): Progress {
  const live = !quiet && err.isTTY === true;
  const silent: ProgressStream = { write: () => true };
  return new Progress({
    stream: quiet ? silent : err,
    out: quiet ? silent : out,
    live,
    style: makeStyle(colour),
    ...(words !== undefined ? { words } : {}),
  });
}
