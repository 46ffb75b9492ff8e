// Command-line flags of `pnpm bench`. Any problem is a UsageError with one line; the CLI prints it and
// exits 2.

import { parseArgs } from "node:util";
import { UsageError } from "@raftlab/raft/terminal";
import { FIGURE_IDS, type FigureId } from "./types.js";

export { UsageError };

export interface BenchArgs {
  readonly help: boolean;
  readonly only: readonly FigureId[];
  /** Suite seeds 1..seeds. */
  readonly seeds: number;
  readonly json: string | null;
  /** Also write the figures as Markdown tables here. */
  readonly markdown: string | null;
  /** Smaller workloads everywhere (a smoke run, for tests and quick checks). */
  readonly quick: boolean;
}

export const MAX_SEEDS = 1000;

export const USAGE = `usage: pnpm bench [--only LIST] [--seeds N] [--json FILE] [--markdown FILE] [--quick]

Measures raftlab's speed; every figure is a ratio against a baseline measured in the same run or
against the MIT 6.5840 lab's published timings.

  --only LIST   figures to run, comma-separated: ${FIGURE_IDS.join(",")} (default: all)
                  suite   the whole 3A-3D lab suite at seeds 1..N vs the lab's ~469 s real / ~60 s CPU
                  core    CPU per committed command, 3 and 5 peers, trace off/on, vs an echo baseline
                  logviz  1,000,000-line trace: parse, first screen, filter, memory, print vs read+split
                  batch   batch runner runs/s with 1 and 2 workers
                  persist CPU per persist at log lengths 100, 1,000 and 10,000
                  isolation  the suite at seed 1 in an isolated child vs an unisolated one, CPU ratio
                          (9 alternating rounds; 1 with --quick)
  --seeds N     suite seeds 1..N (default 3; ${MAX_SEEDS} at most)
  --json FILE   also write every figure, the machine and the command as JSON
  --markdown FILE  also write the figures as Markdown tables (for docs/performance.md)
  --quick       smaller workloads (1 seed, 100k-line trace, short samples): a smoke run, not figures
  -h, --help    this help

Progress goes to stderr; the tables to stdout (coloured only on a TTY, and never with NO_COLOR set).
Exit codes: 0 measured, 1 a lab run failed or the bench crashed, 2 usage error.`;

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split("\n")[0] ?? msg).replace(/\. To specify a positional argument.*$/, "");
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: "string" },
        seeds: { type: "string" },
        json: { type: "string" },
        markdown: { type: "string" },
        quick: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError(firstLine(err));
  }
  const v = parsed.values;
  let only: FigureId[] = [...FIGURE_IDS];
  if (v.only !== undefined) {
    const names = v.only
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (names.length === 0) throw new UsageError(`--only needs a list of figures: ${FIGURE_IDS.join(",")}`);
    for (const n of names) {
      if (!(FIGURE_IDS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown figure "${n}" (known: ${FIGURE_IDS.join(", ")})`);
    }
    only = FIGURE_IDS.filter((id) => names.includes(id));
  }
  let seeds = v.quick === true ? 1 : 3;
  if (v.seeds !== undefined) {
    if (!/^\d+$/.test(v.seeds) || Number(v.seeds) < 1 || Number(v.seeds) > MAX_SEEDS) {
      throw new UsageError(`--seeds must be an integer from 1 to ${MAX_SEEDS}, got "${v.seeds}"`);
    }
    seeds = Number(v.seeds);
  }
  if (v.json !== undefined && v.json.trim() === "") throw new UsageError("--json needs a file name");
  if (v.markdown !== undefined && v.markdown.trim() === "") throw new UsageError("--markdown needs a file name");
  return { help: v.help === true, only, seeds, json: v.json ?? null, markdown: v.markdown ?? null, quick: v.quick === true };
}
