// Loading a compiled CommonJS Raft that Node would treat as ESM. tsc with "module": "CommonJS" writes
// `exports.make = ...`; put that file under a package.json with "type": "module" (a student's project, or
// this repository) and `import()` fails with "exports is not defined in ES module scope". The file is
// CommonJS by its content, so it is run as CommonJS: the function wrapper Node itself uses, with a
// `require` rooted at the file, so its own require() calls resolve as they would under Node.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { compileFunction } from "node:vm";

/** Whether an import() failure means "this is CommonJS in an ESM scope". */
export function isCommonJsInEsmScope(err: unknown): boolean {
  return err instanceof ReferenceError && /^(module|exports|require|__dirname|__filename) is not defined in ES module scope/.test(err.message);
}

/** Runs `file` as a CommonJS module and returns its `module.exports`. */
export function loadCommonJs(file: string): unknown {
  const source = readFileSync(file, "utf8").replace(/^#!.*/, "");
  const module = { exports: {} as unknown };
  const wrapper = compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], { filename: file });
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
