// `pnpm demo`: runs a lab test with faults in the simulator (TestFigure8Unreliable3C: an unreliable
// network, long reordering, leaders disconnected right after Start) and opens logviz on its live trace.
// The run is paced at 4 virtual ms per wall ms so it can be watched; pacing does not change the run.
// raftlab's human lines are held back while logviz owns the screen and printed when it exits, except
// the result lines: raftlab also puts those in the trace (harness Output events) and logviz prints them
// again on exit, so printing raftlab's copy too would show each one twice.
//
// Usage: node scripts/demo.mjs [TEST] [SEED]   (defaults: TestFigure8Unreliable3C 1)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const test = process.argv[2] ?? "TestFigure8Unreliable3C";
const seed = process.argv[3] ?? "1";

const raftlab = spawn(process.execPath, ["packages/tester/dist/cli.js", "run", test, "--seed", seed, "--pace", "4", "--trace"], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
});
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
// The result lines logviz will print: the msg of each Output event in the trace (without raftlab's
// wall-clock figure, which the trace leaves out). Only lines holding "Output" are parsed; bounded.
const inTrace = new Set();
let partial = "";
raftlab.stdout.on("data", (chunk) => {
  const lines = (partial + chunk.toString()).split("\n");
  partial = lines.pop() ?? "";
  if (partial.length > 1 << 20) partial = "";
  for (const line of lines) {
    if (!line.includes('"op":"Output"') || inTrace.size >= 10_000) continue;
    try {
      const msg = JSON.parse(line).msg;
      if (typeof msg === "string") inTrace.add(msg);
    } catch {
      // not an event: nothing logviz would print as a result line
    }
  }
});
const withoutWallTime = (line) => line.replace(/(?:, *| +)\d+ms wall(?=\)?$)/, "");
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
// What raftlab said that logviz has not: the Raft's own output, errors, result lines not in the trace.
const rest = summary.split("\n").filter((line, i, all) => !(inTrace.has(withoutWallTime(line)) || (i === all.length - 1 && line === "")));
if (rest.length > 0) process.stdout.write(rest.join("\n") + "\n");
if (stoppedEarly) console.log("  ... stopped when logviz quit (the run is replayable: same test, same seed)");
if (vizCode === 0 && runCode !== 0 && runCode !== null && raftlab.signalCode === null) {
  console.log(`\nreplay: pnpm raftlab run ${test} --seed ${seed} --trace | pnpm -s logviz`);
}
process.exit(vizCode !== 0 ? vizCode : runCode === null ? 0 : runCode);
