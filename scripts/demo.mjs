// `pnpm demo`: runs a lab test with faults in the simulator (TestFigure8Unreliable3C: an unreliable
// network, long reordering, leaders disconnected right after Start) and opens logviz on its live trace.
// The run is paced at 4 virtual ms per wall ms so it can be watched; pacing does not change the run.
// raftlab's human lines are held back while logviz owns the screen and printed when it exits.
//
// Usage: node scripts/demo.mjs [TEST] [SEED]   (defaults: TestFigure8Unreliable3C 1)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const test = process.argv[2] ?? "TestFigure8Unreliable3C";
const seed = process.argv[3] ?? "1";

const raftlab = spawn(
  process.execPath,
  ["packages/tester/dist/cli.js", "run", test, "--seed", seed, "--pace", "4", "--trace"],
  { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
);
const logviz = spawn(process.execPath, ["packages/logviz/dist/cli.js"], {
  cwd: root,
  stdio: ["pipe", "inherit", "inherit"],
});

let summary = "";
raftlab.stderr.on("data", (chunk) => {
  // Bounded: the human lines of one test are a few hundred bytes.
  if (summary.length < 64 * 1024) summary += chunk.toString();
});
raftlab.stdout.pipe(logviz.stdin);
// Quitting logviz early closes the pipe; that is a normal way to end the demo, not an error.
logviz.stdin.on("error", () => {});
raftlab.stdout.on("error", () => {});

// Listen for both exits now: a child that closes before we await it must not be missed.
const exited = (child) => new Promise((resolve) => child.on("close", (code) => resolve(code)));
const vizDone = exited(logviz);
const runDone = exited(raftlab);
const vizCode = (await vizDone) ?? 1;
const stoppedEarly = raftlab.exitCode === null && raftlab.signalCode === null;
if (stoppedEarly) raftlab.kill();
const runCode = await runDone;
process.stdout.write(summary);
if (stoppedEarly) console.log("  ... stopped when logviz quit (the run is replayable: same test, same seed)");
if (vizCode === 0 && runCode !== 0 && runCode !== null && raftlab.signalCode === null) {
  console.log(`\nreplay: pnpm raftlab run ${test} --seed ${seed} --trace | pnpm -s logviz`);
}
process.exit(vizCode !== 0 ? vizCode : runCode === null ? 0 : runCode);
