#!/usr/bin/env node
// raftlab: the 6.5840 Raft lab tester on a deterministic simulator.
//   raftlab list
//   raftlab run [pattern...] [--seed N] [--trace [FILE]] [--impl MODULE] [--pace X] [--timeout SEC]
// Exit codes: 0 all passed, 1 a test failed (or the trace could not be written), 2 usage error
// (unknown pattern, bad flag, bad --impl), 137 a Raft blocked the thread past --timeout.

import { Command } from "commander";
import { escapeControls } from "@raftlab/raft";
import { commanderErrorLine, EXIT, wrapHelpText } from "@raftlab/raft/terminal";
// ---- list, run (src/run/): the lab tests once at one seed, the trace, the exit guards ----------------
import { registerRunCommands } from "./run/commands.js";
import { installRunExitHooks } from "./run/exit-hook.js";
// ---- batch, triage, merge (src/batch/): registered below with one call -----------------------------
import { registerBatchCommands } from "./batch/commands.js";
// ---- stress (src/stress/): any command run many times, failures grouped -------------------------------
import { registerStressCommand } from "./stress/commands.js";
// ---- conform (src/conform/): one peer, scripted RPCs, Figure 2 case by case ----------------------------
import { registerConformCommand } from "./conform/commands.js";
// ---- init (src/init/): a starter project for your own Raft ---------------------------------------------
import { registerInitCommand } from "./init/init.js";
// ---- shrink (src/shrink/, on src/schedule/): a failing run cut to the faults that matter ---------------
import { registerShrinkCommand } from "./shrink/command.js";
import { applyCommandPrefix } from "./invocation.js";

export function buildProgram(): Command {
  // Printed commands (replay lines) start with "npx " inside an npm project that depends on raftlab.
  applyCommandPrefix();
  const program = new Command();
  program
    .name("raftlab")
    .description("The MIT 6.5840 Raft lab tester (parts 3A-3D) on a deterministic simulator: every run is a function of its seed.")
    .version("0.1.0")
    .configureOutput({
      // Usage errors are one line.
      outputError: (str, write) => write(`raftlab: ${escapeControls(commanderErrorLine(str))}\n`),
    })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    })
    // A near-miss flag or command gets "did you mean ...?" (subcommands inherit this setting).
    .showSuggestionAfterError(true)
    // Help wraps prose but never cuts an example mid-command (off a terminal it is 80 columns wide).
    .configureHelp({ boxWrap: (text: string, width: number) => wrapHelpText(text, width) });

  registerRunCommands(program);
  registerBatchCommands(program);
  registerStressCommand(program);
  registerConformCommand(program);
  registerInitCommand(program);
  registerShrinkCommand(program);
  // One error style for every command: `raftlab <command>: <one line>`, data in it escaped.
  for (const cmd of program.commands) {
    cmd.configureOutput({
      outputError: (str, write) => write(`raftlab ${cmd.name()}: ${escapeControls(commanderErrorLine(str))}\n`),
    });
  }
  return program;
}

installRunExitHooks();

await buildProgram().parseAsync(process.argv);
