// Styling through chalk, with an instance whose level follows the caller's colour decision (color.ts)
// instead of chalk's own detection, so one rule decides colour in every CLI.
import { Chalk, type ChalkInstance } from "chalk";
import { colorEnabled, type ColorStream } from "./color.js";

export type Paint = (s: string) => string;

/** A chalk instance that colours (256-colour level) when `enabled`, and returns text as is otherwise. */
export function chalkFor(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 2 : 0 });
}

/** The few styles the tester's reports use. */
export interface Style {
  readonly enabled: boolean;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
}

export function makeStyle(enabled: boolean): Style {
  const c = chalkFor(enabled);
  return { enabled, red: c.red, green: c.green, yellow: c.yellow, dim: c.dim, bold: c.bold };
}

/** The style for one stream, by the colour rule of color.ts. */
export function styleFor(stream: ColorStream, env: NodeJS.ProcessEnv = process.env): Style {
  return makeStyle(colorEnabled(stream, env));
}
