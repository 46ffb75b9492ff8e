// split2 ships no types (and @types/split2 would add a dependency for one signature).
declare module "split2" {
  import type { Transform, TransformOptions } from "node:stream";
  interface Split2Options extends TransformOptions {
    maxLength?: number;
    skipOverflow?: boolean;
  }
  type Matcher = string | RegExp | { [Symbol.split](s: string): string[] };
  function split2(matcher: Matcher, mapper: (line: string) => unknown, options?: Split2Options): Transform;
  export default split2;
}
