// The bench's child for figure 6 (isolation.ts): one process runs the whole lab suite at one seed, as
// `raftlab run`'s isolated child does (run/child.ts) or without the isolation, and prints its own CPU
// time as one JSON line. Bench-only: the product has no switch to turn the isolation off.
//
//   node bench/isolation-child.js isolated|baseline SEED
//
// isolated: freezeIntrinsics() before any test runs, builtinsCheck: patchedIntrinsic at the runner's
// default cadence (every 256 simulator events and when each test's body ends), and the check before each
// verdict, exactly as run/child.ts. Not exercised: the authenticated channel's messages (a few per test).

import { freezeIntrinsics, patchedIntrinsic } from "../isolation/freeze.js";
import { runTest, TESTS } from "../runner.js";

const [mode, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
if ((mode !== "isolated" && mode !== "baseline") || !Number.isInteger(seed) || seed < 1) {
  process.stderr.write("usage: node bench/isolation-child.js isolated|baseline SEED\n");
  process.exit(2);
}
const isolated = mode === "isolated";

// The lock is part of what an isolated run pays, so the clock starts before it.
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
if (isolated) freezeIntrinsics();
let passed = 0;
let failed = 0;
for (const t of TESTS) {
  const result = await runTest(t.name, { seed, ...(isolated ? { builtinsCheck: patchedIntrinsic } : {}) });
  const patched = isolated ? patchedIntrinsic() : null;
  if (result.ok && patched === null) passed++;
  else failed++;
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ mode, seed, passed, failed, cpuUs: cpu.user + cpu.system, wallMs: performance.now() - wall0 })}\n`);
