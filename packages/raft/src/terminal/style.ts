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
  return { enabled, red: one(c.red), green: one(c.green), yellow: one(c.yellow), dim: one(c.dim), bold: one(c.bold) };
}

/**
 * A chalk style as a one-argument function. A chalk style joins all its arguments with spaces, so
 * passed straight to `array.map` it would paint "cell index array"; a Paint takes the string alone.
 */
export function one(paint: (...text: unknown[]) => string): Paint {
  return (s) => paint(s);
}

/** The style for one stream, by the colour rule of color.ts. */
export function styleFor(stream: ColorStream, env: NodeJS.ProcessEnv = process.env): Style {
  return makeStyle(colorEnabled(stream, env));
}
