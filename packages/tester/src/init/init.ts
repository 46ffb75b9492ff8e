// `raftlab init DIR`: writes a standalone starter project for a Raft that plugs into this raftlab
// (`npm run build && npm test` compiles it and runs the 3A tests on it). raftlab is not on npm, so the
// generated scripts call this installation's bin, and its TypeScript, by absolute path.

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { escapeControls } from "@raftlab/raft";
import { EXIT, shellQuote, UsageError } from "@raftlab/raft/terminal";
import { CONSOLE_D_TS, GITIGNORE, packageJson, RAFT_TS, readme, TSCONFIG, TYPES_TS, type TemplateContext } from "./templates.js";


/** This installation: its bin, its TypeScript compiler (if it has one) and logviz's bin. */
export function locateInstallation(): { raftlabBin: string; tsc: string | null; logvizBin: string | null } {
  // The same depth from src/init/ and dist/init/: packages/tester/bin/raftlab.js.
  const raftlabBin = fileURLToPath(new URL("../../bin/raftlab.js", import.meta.url));
  const logviz = fileURLToPath(new URL("../../../logviz/bin/logviz.js", import.meta.url));
  // The compiler in the nearest node_modules above this package (the monorepo root's, with pnpm): by
  // that path rather than its realpath, so that it survives a TypeScript upgrade of the checkout.
  let tsc: string | null = null;
  for (let d = fileURLToPath(new URL("../..", import.meta.url)); ; d = dirname(d)) {
    const bin = join(d, "node_modules", "typescript", "bin", "tsc");
    if (existsSync(bin)) {
      tsc = bin;
      break;
    }
    if (dirname(d) === d) break;
  }
  return { raftlabBin, tsc, logvizBin: existsSync(logviz) ? logviz : null };
}

/** An npm package name from a folder name: lower case, [a-z0-9._-], "my-raft" when nothing is left. */
export function packageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "");
  return name === "" ? "my-raft" : name.slice(0, 214);
}

export interface InitResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/** Writes the project into `dir` (created if missing). Throws UsageError for a non-empty dir without force. */
export function initProject(dir: string, options: { force?: boolean } = {}): InitResult {
  const abs = resolve(dir);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new UsageError(`${dir} exists and is not a directory`);
    if (options.force !== true && readdirSync(abs).length > 0) {
      throw new UsageError(`${dir} is not empty (use --force to write the starter files into it anyway)`);
    }
  }
  const where = locateInstallation();
  const node = (file: string): string => `node ${shellQuote(file)}`;
  const ctx: TemplateContext = {
    name: packageName(abs),
    raftlabCommand: node(where.raftlabBin),
    raftlabBin: where.raftlabBin,
    tscCommand: where.tsc !== null ? node(where.tsc) : "tsc",
    tscPath: where.tsc,
    logvizCommand: where.logvizBin !== null ? node(where.logvizBin) : "logviz",
  };
  const files: [string, string][] = [
    ["package.json", packageJson(ctx)],
    ["tsconfig.json", TSCONFIG],
    ["README.md", readme(ctx)],
    [".gitignore", GITIGNORE],
    ["src/types.ts", TYPES_TS],
    ["src/console.d.ts", CONSOLE_D_TS],
    ["src/raft.ts", RAFT_TS],
  ];
  mkdirSync(join(abs, "src"), { recursive: true });
  for (const [rel, text] of files) writeFileSync(join(abs, rel), text);
  return { dir: abs, files: files.map(([rel]) => rel) };
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .summary("create a starter TypeScript project for your own Raft (build and test scripts included)")
    .description(
      "Create a standalone starter project in DIR (created if missing; it must be\n" +
        "empty unless --force):\n" +
        "  package.json   scripts build (tsc), test (raftlab run 3A), test:all\n" +
        "  tsconfig.json  standalone: strict, NodeNext, src/ -> dist/\n" +
        "  src/raft.ts    the lab's raft.go as a skeleton, a TODO per Figure 2 part\n" +
        "  src/types.ts   the lab interface (MakeRaft, RaftPeer, ...), types only\n" +
        "  README.md      next steps\n" +
        "raftlab is not on npm: the scripts call this raftlab's bin, and its\n" +
        "TypeScript, by absolute path.\n" +
        "Then: cd DIR && npm run build && npm test (the skeleton fails the tests\n" +
        "until you write it).\n" +
        "Exit code: 0 created, 1 a file could not be written, 2 usage error.\n" +
        "Examples:\n" +
        "  raftlab init my-raft\n" +
        "  raftlab init ~/6.5840/raft --force",
    )
    .argument("<dir>", "where to create the project")
    .option("-f, --force", "write the starter files into a non-empty DIR, replacing files of the same names")
    .action((dir: string, flags: { force?: boolean }) => {
      let result: InitResult;
      try {
        result = initProject(dir, flags);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = e instanceof UsageError ? e.message : `cannot write ${dir}: ${err.code ?? err.message ?? String(e)}`;
        process.stderr.write(`raftlab init: ${escapeControls(why)}\n`);
        process.exitCode = e instanceof UsageError ? EXIT.USAGE : EXIT.FAIL;
        return;
      }
      const out = (line: string): boolean => process.stdout.write(escapeControls(line) + "\n");
      out(`Created ${result.dir}: ${result.files.join(", ")}`);
      out("Next:");
      out(`  cd ${shellQuote(dir)}`);
      out("  npm run build    # compile src/raft.ts to dist/raft.js");
      out("  npm test         # raftlab run 3A on it: fails until you write src/raft.ts (see README.md)");
    });
}
