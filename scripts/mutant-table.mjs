#!/usr/bin/env node
// Measures the tester against the deliberately broken Rafts (mutants) of
// packages/tester/test/fixtures/mutants/catalogue.mjs: for each mutant, the whole 28-test lab suite
// (all of 3A-3D, whatever part the bug is filed under) runs at seeds 1..S, in this one process,
// one run at a time. For each mutant it records at how many seeds at least one test failed, the first
// failing test (lab order, at the first failing seed), what failed it (the online check's name for a
// violation, else the message with numbers replaced by N), which tests failed how often, and the
// checker warnings counted (a warning never fails a run unless --strict). Our unmutated Raft runs the
// same seeds first as a control, and so does a copy with only the catalogue's LENIENT patches (the
// core's self-asserts turned off, which every mutant gets); both must show 0 failures.
//
//   pnpm exec tsc -b && node scripts/mutant-table.mjs [--seeds S] [--timeout MS] [--strict] [--only a,b] [--json FILE]
//
// Writes a Markdown table to stdout and progress to stderr. Each run is bounded by the runner's
// wallTimeoutMs (--timeout, default 60000) on top of its 120 s virtual limit and event cap, so a
// livelocked mutant fails as "timeout" instead of hanging the script.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createHash } from "node:crypto";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const die = (msg) => {
  process.stderr.write(`mutant-table: ${msg}\n`);
  process.exit(2);
};

// ---- arguments ----------------------------------------------------------------------------------
let seeds = 5;
let timeoutMs = 60_000;
let strict = false;
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
  else if (a === "--timeout") timeoutMs = intArg(a, argv[++i], 1);
  else if (a === "--strict") strict = true;
  else if (a === "--only") {
    const v = argv[++i];
    if (v === undefined || v === "") die("--only needs a comma-separated list of mutant names");
    only = v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  } else if (a === "--json") {
    jsonOut = argv[++i];
    if (jsonOut === undefined) die("--json needs a file name");
  } else if (a === "-h" || a === "--help") {
    process.stdout.write("usage: node scripts/mutant-table.mjs [--seeds S] [--timeout MS] [--strict] [--only name,...] [--json FILE]\n");
    process.exit(0);
  } else die(`unknown argument ${JSON.stringify(a)} (try --help)`);
}

const runnerPath = join(root, "packages/tester/dist/runner.js");
if (!existsSync(runnerPath)) die("packages/tester/dist/runner.js is missing; run `pnpm exec tsc -b` first");
const { runTest, TESTS } = await import(pathToFileURL(runnerPath).href);
const mutantsDir = join(root, "packages/tester/test/fixtures/mutants");
const { MUTANTS, LENIENT } = await import(pathToFileURL(join(mutantsDir, "catalogue.mjs")).href);
const { buildMutant, applyPatches, RAFT_SRC } = await import(pathToFileURL(join(mutantsDir, "build.mjs")).href);

let chosen = MUTANTS;
if (only !== null) {
  const known = new Set(MUTANTS.map((m) => m.name));
  for (const n of only) if (!known.has(n) && n !== "control") die(`no mutant named ${n}`);
  chosen = MUTANTS.filter((m) => only.includes(m.name));
}

/** The control copy: our Raft with only the LENIENT patches, built like build.mjs builds a mutant. */
async function buildLenientControl() {
  const ts = (await import(pathToFileURL(join(root, "packages/tester/node_modules/typescript/lib/typescript.js")).href).catch(() => import("typescript")))
    .default;
  const list = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
    );
  const rels = list(RAFT_SRC)
    .map((p) => relative(RAFT_SRC, p))
    .sort();
  const files = new Map(rels.map((r) => [r, readFileSync(join(RAFT_SRC, r), "utf8")]));
  const hash = createHash("sha256");
  for (const r of rels) hash.update(r).update("\0").update(files.get(r)).update("\0");
  hash.update(JSON.stringify(LENIENT));
  const dir = join(tmpdir(), "raftlab-mutants", `lenient-control-${hash.digest("hex").slice(0, 12)}`);
  const entry = join(dir, "index.js");
  if (existsSync(entry)) return entry;
  applyPatches(files, LENIENT, "lenient-control");
  const tmp = `${dir}.tmp-${process.pid}`;
  for (const [r, text] of files) {
    const js = ts.transpileModule(text, { fileName: r, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const out = join(tmp, r.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }) + "\n");
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return entry;
}

const loadMake = async (path) => (await import(pathToFileURL(path).href)).make;

/** What failed a run: the online check's name for a violation, else kind + message with numbers as N. */
function label(f) {
  if (f.kind === "violation" && f.invariant) return `${f.invariant} (violation)`;
  const msg = f.message
    .split("\n")[0]
    .replace(/one\(.*\) failed to reach agreement/, "one(…) failed to reach agreement")
    .replace(/[A-Za-z0-9_-]{20,}/g, "…")
    .replace(/\d+(\.\d+)?/g, "N")
    .replace(/\s+/g, " ")
    .trim();
  const short = msg.length > 90 ? `${msg.slice(0, 87)}...` : msg;
  return f.kind === "fail" ? short : `${f.kind}: ${short}`;
}

/** Runs the whole suite at seeds 1..S for one implementation. */
async function measure(name, make) {
  const t0 = performance.now();
  const failedSeeds = [];
  let first = null; // { seed, test, label, message }
  const byTest = new Map(); // test -> seeds failed
  const labels = new Map(); // label -> runs
  const warnings = new Map(); // kind -> runs with it
  let runs = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    let seedFailed = false;
    for (const t of TESTS) {
      const r = await runTest(t.name, { seed, impl: make, strict, wallTimeoutMs: timeoutMs });
      runs++;
      for (const w of r.warnings ?? []) if (w.kind !== "Term Changed") warnings.set(w.kind, (warnings.get(w.kind) ?? 0) + 1);
      if (r.ok) continue;
      const l = label(r.failure);
      labels.set(l, (labels.get(l) ?? 0) + 1);
      byTest.set(t.name, (byTest.get(t.name) ?? 0) + 1);
      if (!seedFailed) {
        seedFailed = true;
        failedSeeds.push(seed);
      }
      if (first === null) first = { seed, test: t.name, label: l, message: r.failure.message.split("\n")[0] };
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const res = { name, caught: failedSeeds.length, failedSeeds, first, byTest: [...byTest], labels: [...labels], warnings: [...warnings], runs, wallS };
  process.stderr.write(
    `${name}: ${res.caught}/${seeds} seeds, ${byTest.size} tests failing, ${wallS.toFixed(1)} s${first ? ` (first: ${first.test} seed ${first.seed}: ${first.label})` : ""}\n`,
  );
  return res;
}

const started = performance.now();
const controls = [];
if (only === null || only.includes("control")) {
  const ours = (await import(pathToFileURL(join(root, "packages/raft/dist/index.js")).href)).make;
  controls.push(await measure("control: our Raft, unmutated", ours));
  controls.push(await measure("control: LENIENT patches only", await loadMake(await buildLenientControl())));
}
const results = [];
for (const m of chosen) {
  let make;
  try {
    make = await loadMake(buildMutant(m.name));
  } catch (e) {
    die(`cannot build mutant ${m.name}: ${e.message}`);
  }
  results.push({ ...(await measure(m.name, make)), part: m.part, description: m.description });
}
const totalS = (performance.now() - started) / 1000;

// ---- report -------------------------------------------------------------------------------------
const esc = (s) => String(s).replace(/\|/g, "\\|");
const topTests = (r) => {
  const sorted = [...r.byTest].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, 3).map(([t, n]) => `${t.replace(/^Test/, "")} ${n}/${seeds}`);
  return sorted.length === 0 ? "—" : `${sorted.length} of ${TESTS.length}: ${shown.join(", ")}${sorted.length > 3 ? ", …" : ""}`;
};
const labelsOf = (r) =>
  [...r.labels]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([l, n]) => `${esc(l)} ×${n}`)
    .join("; ");
const warnOf = (r) => (r.warnings.length === 0 ? "—" : r.warnings.map(([k, n]) => `${esc(k)} (${n})`).join(", "));

const out = [];
out.push(
  `Mutant table: ${TESTS.length} lab tests (3A–3D) × seeds 1..${seeds} per mutant${strict ? ", --strict" : ""}, run ${new Date().toISOString().slice(0, 10)}, ${totalS.toFixed(0)} s wall in total.`,
);
out.push("");
out.push("| Mutant | Part | Seeds caught | First failing test (seed) | What failed it (runs) | Tests failing (seeds) | Checker warnings (runs) |");
out.push("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of [...controls, ...results]) {
  const f = r.first;
  out.push(
    `| ${esc(r.name)} | ${r.part ?? "—"} | ${r.caught}/${seeds} | ${f ? `${f.test} (${f.seed})` : "—"} | ${f ? labelsOf(r) : "—"} | ${topTests(r)} | ${warnOf(r)} |`,
  );
}
const killed = results.filter((r) => r.caught > 0);
out.push("");
if (results.length > 0)
  out.push(
    `- Kill rate: ${killed.length}/${results.length} mutants caught at ≥1 of ${seeds} seeds; survivors: ${
      results
        .filter((r) => r.caught === 0)
        .map((r) => r.name)
        .join(", ") || "none"
    }.`,
  );
const warnedOnly = results.filter((r) => r.caught === 0 && r.warnings.length > 0);
if (warnedOnly.length > 0)
  out.push(
    `- Survivors with checker warnings (--strict turns those into failures): ${warnedOnly.map((r) => `${r.name} (${r.warnings.map(([k]) => k).join(", ")})`).join("; ")}.`,
  );
if (results.length > 0) {
  const any = results.filter((r) => r.caught > 0 || r.warnings.length > 0);
  out.push(
    `- Counting checker warnings too: ${any.length}/${results.length} caught; survivors: ${
      results
        .filter((r) => !any.includes(r))
        .map((r) => r.name)
        .join(", ") || "none"
    }.`,
  );
}
for (const c of controls)
  if (c.warnings.length > 0) out.push(`- **CONTROL WARNED**: ${c.name}: ${c.warnings.map(([k, n]) => `${k} in ${n} runs`).join(", ")}.`);
for (const c of controls)
  if (c.caught > 0) out.push(`- **CONTROL FAILED**: ${c.name} failed at seeds ${c.failedSeeds.join(", ")} (${c.first.test}: ${c.first.message}).`);
if (controls.length > 0 && controls.every((c) => c.caught === 0)) out.push(`- Controls: ${controls.map((c) => `${c.name} 0/${seeds}`).join("; ")}.`);
process.stdout.write(out.join("\n") + "\n");
if (jsonOut !== null) writeFileSync(jsonOut, JSON.stringify({ seeds, strict, timeoutMs, totalS, controls, results }, null, 2) + "\n");
