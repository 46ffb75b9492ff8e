// Reads vitest's JSON report and prints the count of test cases as CI expects it, alone on the last
// line: "N passed, N failed". vitest's own summary counts files and tests differently, so derive it.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".vitest-report.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.error(`test-summary: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
let passed = 0;
let failed = 0;
for (const suite of report.testResults ?? []) {
  const cases = suite.assertionResults ?? [];
  for (const c of cases) {
    if (c.status === "passed") passed++;
    else if (c.status === "failed") failed++;
  }
  // A file that failed to load has no cases but must still count as a failure.
  if (cases.length === 0 && suite.status === "failed") failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
