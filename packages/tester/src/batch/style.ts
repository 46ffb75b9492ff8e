// Terminal styling: colour only on a TTY and only when NO_COLOR is unset or empty (no-color.org).

export interface Style {
  readonly enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

function wrap(enabled: boolean, open: number, close: number): (s: string) => string {
  return enabled ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
}

export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    dim: wrap(enabled, 2, 22),
    bold: wrap(enabled, 1, 22),
  };
}

/** Whether to colour a stream: it must be a TTY and NO_COLOR must be unset or empty. */
export function colourWanted(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env["NO_COLOR"];
  return stream.isTTY === true && (noColor === undefined || noColor === "");
}

/** Visible width of a string that may contain ANSI colour codes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, "").length;
}

export function padEnd(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - visibleLength(s)));
}

export function padStart(s: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleLength(s))) + s;
}

/** `mm:ss`, or `h:mm:ss` past an hour. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
