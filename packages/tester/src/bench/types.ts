// What each figure hands to the output layer: a titled table, goals with a verdict, notes, and the raw
// numbers for --json.

export type Cell = string | number;

export interface Goal {
  readonly text: string;
  readonly met: boolean;
  readonly detail: string;
}

export interface FigureTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export interface Figure {
  readonly id: FigureId;
  readonly title: string;
  readonly tables: readonly FigureTable[];
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
  /** Set when the figure could not be measured; says why. */
  readonly notMeasured?: string;
  /** Machine-readable figures for --json. */
  readonly data: unknown;
}

export const FIGURE_IDS = ["suite", "core", "logviz", "batch", "persist", "isolation"] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** Progress lines go to stderr, so stdout stays the table (or nothing but it). */
export type Progress = (line: string) => void;

export function notMeasured(id: FigureId, title: string, why: string): Figure {
  return { id, title, tables: [], goals: [], notes: [], notMeasured: why, data: { notMeasured: why } };
}
