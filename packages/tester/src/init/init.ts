// `raftlab init DIR`: writes a standalone starter project for a Raft, with raftlab's packages as real npm
// dependencies: tarballs in DIR/vendor/ (vendor.ts), so that `npm install && npm run build && npm test`
// works there with no path into the raftlab that created it, which may then move or go.

import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Command } from "commander";
import { escapeControls } from "@raftlab/raft";
import { EXIT, EXIT_USAGE_TEXT, shellQuote, UsageError } from "@raftlab/raft/terminal";
import { GITIGNORE, packageJson, RAFT_TS, readme, TSCONFIG, TYPES_TS, type TemplateContext } from "./templates.js";
import { VendorError, vendorPackages } from "./vendor.js";
import { refuseSymlink, writeFileAtomic } from "../runs/atomic.js";

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
  // --force writes into an existing project: never through a link planted there. A file link is replaced
  // (atomic.ts); a linked folder would put the files elsewhere, so it is refused before anything is written.
  for (const sub of ["src", "vendor"]) refuseSymlink(join(abs, sub));
  const tarballs = vendorPackages(join(abs, "vendor"));
  const ctx: TemplateContext = {
    name: packageName(abs),
    vendored: { raft: `vendor/${tarballs.raft}`, tester: `vendor/${tarballs.tester}`, logviz: `vendor/${tarballs.logviz}` },
  };
  const files: [string, string][] = [
    ["package.json", packageJson(ctx)],
    ["tsconfig.json", TSCONFIG],
    ["README.md", readme(ctx)],
    [".gitignore", GITIGNORE],
    ["src/types.ts", TYPES_TS],
    ["src/raft.ts", RAFT_TS],
  ];
  mkdirSync(join(abs, "src"), { recursive: true });
  for (const [rel, text] of files) writeFileAtomic(join(abs, rel), text);
  return { dir: abs, files: [...files.map(([rel]) => rel), ...Object.values(ctx.vendored)] };
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .summary("create a starter TypeScript project for your own Raft (build and test scripts included)")
    .description(
      "Create a standalone starter project in DIR (created if missing; it must be\n" +
        "empty unless --force):\n" +
        "  package.json   scripts build (tsc), test (raftlab run 3A), test:all;\n" +
        "                 raftlab's packages as file:vendor/*.tgz dependencies\n" +
        "  vendor/        raftlab's packages (raft, tester, logviz) as npm tarballs\n" +
        "  tsconfig.json  standalone: strict, NodeNext, Node's types, src/ -> dist/\n" +
        "  src/raft.ts    the lab's raft.go as a skeleton, a TODO per Figure 2 part\n" +
        "  src/types.ts   the lab interface (MakeRaft, RaftPeer, ...), types only\n" +
        "  README.md      next steps\n" +
        "The project needs nothing from this raftlab afterwards; npm install fetches\n" +
        "TypeScript, @types/node and the packages' dependencies from the registry.\n" +
        "Then: cd DIR && npm install && npm run build && npm test (the skeleton\n" +
        "fails the tests until you write it).\n" +
        `Exit codes: 0 created, 1 raftlab's packages could not be packed or a file written, ${EXIT_USAGE_TEXT}.\n` +
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
        const why = e instanceof UsageError || e instanceof VendorError ? e.message : `cannot write ${dir}: ${err.code ?? err.message ?? String(e)}`;
        process.stderr.write(`raftlab init: ${escapeControls(why)}\n`);
        process.exitCode = e instanceof UsageError ? EXIT.USAGE : EXIT.FAIL;
        return;
      }
      const out = (line: string): boolean => process.stdout.write(escapeControls(line) + "\n");
      out(`Created ${result.dir}: ${result.files.join(", ")}`);
      out("Next:");
      out(`  cd ${shellQuote(dir)}`);
      out("  npm install      # raftlab's packages from vendor/, TypeScript from the registry");
      out("  npm run build    # compile src/raft.ts to dist/raft.js");
      out("  npm test         # raftlab run 3A on it: fails until you write src/raft.ts (see README.md)");
    });
}
