// How a user types raftlab's commands where this raftlab is installed, for the commands it prints to be
// pasted (replay lines). Installed as a dependency of an npm project (`raftlab init`'s project:
// <project>/node_modules/@raftlab/tester), its bins are not on the shell's PATH, only in npm scripts, so
// the commands start with `npx` (which finds the project's bins from anywhere inside it). Installed
// globally or run from a checkout, `raftlab` and `logviz` are the commands.

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setCommandPrefix } from "@raftlab/raft/terminal";

let cached: "npx " | "" | null = null;

/** Whether the package folder `dir` is <project>/node_modules/@raftlab/<name> of a project with a package.json. */
export function isProjectDependency(dir: string): boolean {
  const scope = dirname(dir);
  const modules = dirname(scope);
  return basename(scope) === "@raftlab" && basename(modules) === "node_modules" && existsSync(join(dirname(modules), "package.json"));
}

/** "npx " inside an npm project that depends on raftlab, "" elsewhere: prefix printed raftlab and logviz commands with it. */
export function commandPrefix(): "npx " | "" {
  // The same depth from src/ and dist/: this package's folder.
  cached ??= isProjectDependency(fileURLToPath(new URL("..", import.meta.url))) ? "npx " : "";
  return cached;
}

/** Makes every command this process prints (replay lines) start as `commandPrefix()` says. */
export function applyCommandPrefix(): void {
  setCommandPrefix(commandPrefix());
}
