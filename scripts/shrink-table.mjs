#!/usr/bin/env node
// Measures `raftlab shrink` (packages/tester/src/shrink/): for each mutant of
// packages/tester/test/fixtures/mutants/catalogue.mjs, its first failing (test, seed) (lab order, seeds
// 1..S), shrunk within a budget; and the same for examples/simple-raft with an injected bug (its vote
// ignores the §5.4.1 up-to-date check). For each it records the faults, trace events and virtual time
// before and after, the wall time the shrink took, and whether the shrunk run names the same rule
// (the same failure signature, src/batch/signature.ts).
//
//   pnpm exec tsc -b && node scripts/shrink-table.mjs [--seeds S] [--budget SEC] [--only a,b] [--json FILE]
//
// Writes a Markdown table to stdout and progress to stderr. The search is deterministic; only the
// budget (wall clock) makes a slower machine stop earlier.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const die = (msg) => {
  process.stderr.write(`shrink-table: ${msg}\n`);
  process.exit(2);
};

let seeds = 1;
let budgetSec = 30;
let only = null;
let jsonOut = null;
const argv = process.argv.slice(2);
const intArg = (flag, v, min) => {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) die(`${flag} needs an integer >= ${min}, got ${v === undefined ? "nothing" : JSON.stringify(v)}`);
  return Number(v);
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--seeds") seeds = intArg(a, argv[++i], 1);
  else if (a === "--budget") budgetSec = intArg(a, argv[++i], 1);
  else if (a === "--only") only = (argv[++i] ?? "").split(",").filter((s) => s !== "");
  else if (a === "--json") {
    jsonOut = argv[++i];
    if (jsonOut === undefined) die("--json needs a file name");
  } else if (a === "-h" || a === "--help") {
    process.stdout.write("usage: node scripts/shrink-table.mjs [--seeds S] [--budget SEC] [--only name,...] [--json FILE]\n");
    process.exit(0);
  } else die(`unknown argument ${JSON.stringify(a)} (try --help)`);
}

const dist = join(root, "packages/tester/dist");
if (!existsSync(join(dist, "shrink/shrink.js"))) die("packages/tester/dist is missing or old; run `pnpm exec tsc -b` first");
const { runTest, TESTS } = await import(pathToFileURL(join(dist, "runner.js")).href);
const { shrinkRun } = await import(pathToFileURL(join(dist, "shrink/shrink.js")).href);
const { MUTANTS } = await import(pathToFileURL(join(root, "packages/tester/test/fixtures/mutants/catalogue.mjs")).href);
const { buildMutant } = await import(pathToFileURL(join(root, "packages/tester/test/fixtures/mutants/build.mjs")).href);

/** examples/simple-raft compiled into a temp dir, with its vote's up-to-date check removed. */
function buggySimpleRaft() {
  const out = mkdtempSync(join(tmpdir(), "raftlab-simple-bug-"));
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "examples/simple-raft"), "--outDir", out], { cwd: root });
  const file = join(out, "raft.js");
  const js = readFileSync(file, "utf8");
  const find = "(this.votedFor === -1 || this.votedFor === a.candidateId) && upToDate)";
  if (js.split(find).length !== 2) die(`examples/simple-raft changed: cannot inject the bug (${find} not found once)`);
  writeFileSync(file, js.replace(find, "(this.votedFor === -1 || this.votedFor === a.candidateId))"));
  return file;
}

const subjects = MUTANTS.filter((m) => only === null || only.includes(m.name)).map((m) => ({ name: m.name, path: () => buildMutant(m.name) }));
if (only === null || only.includes("simple-raft")) subjects.push({ name: "simple-raft, vote without the up-to-date check", path: buggySimpleRaft });

const rows = [];
for (const s of subjects) {
  const path = s.path();
  const impl = (await import(pathToFileURL(path).href)).make;
  let first = null;
  for (let seed = 1; seed <= seeds && first === null; seed++) {
    for (const t of TESTS) {
      process.stderr.write(`\r\u001b[2K${s.name}: ${t.name} seed ${seed}`);
      const r = await runTest(t.name, { seed, impl, wallTimeoutMs: 60_000 });
      if (!r.ok) {
        first = { test: t.name, seed };
        break;
      }
    }
  }
  if (first === null) {
    rows.push({ subject: s.name, caught: false });
    continue;
  }
  process.stderr.write(`\r\u001b[2K${s.name}: shrinking ${first.test} seed ${first.seed}`);
  const r = await shrinkRun(first.test, first.seed, { impl, implPath: path, budgetMs: budgetSec * 1000 });
  rows.push({
    subject: s.name,
    caught: true,
    test: first.test,
    seed: first.seed,
    rule: r.original.signature,
    faults: [r.original.faults, r.shrunk.faults],
    events: [r.original.events, r.shrunk.events],
    virtualMs: [r.original.virtualMs, r.shrunk.virtualMs],
    shrinkSec: Math.round(r.wallMs / 100) / 10,
    runs: r.runs,
    stoppedBy: r.stoppedBy,
    sameRule: r.sameFailure,
    left: r.faults.map((f) => f.text),
  });
}
process.stderr.write("\r\u001b[2K");

const sec = (ms) => `${(ms / 1000).toFixed(1)}s`;
const lines = [
  `Shrink table: first failing (test, seed) at seeds 1..${seeds}, shrunk with --budget ${budgetSec}, run ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| Subject | First failing test (seed) | Rule | Faults | Events | Virtual time | Shrink time (runs) | Same rule |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const r of rows) {
  if (!r.caught) {
    lines.push(`| ${r.subject} | not caught | — | — | — | — | — | — |`);
    continue;
  }
  const stop = r.stoppedBy === "done" ? "" : ", budget";
  lines.push(
    `| ${r.subject} | ${r.test} (${r.seed}) | ${r.rule.replace(/\|/g, "\\|")} | ${r.faults[0]} → ${r.faults[1]} | ${r.events[0]} → ${r.events[1]} | ${sec(r.virtualMs[0])} → ${sec(r.virtualMs[1])} | ${r.shrinkSec}s (${r.runs}${stop}) | ${r.sameRule ? "yes" : "no"} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
if (jsonOut !== null) writeFileSync(jsonOut, `${JSON.stringify(rows, null, 2)}\n`);
