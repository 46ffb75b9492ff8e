// Issue 18 §5: the status line says where the input stands without a key press: a saved file read to
// its end says "end of input" (not "live"), and says "live" again only while it grows.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ensureBuilt } from "./build.js";
import { CLEAN_ENV, hasTmux, NODE, statusOf, Tmux } from "./tmux.js";

const LOGVIZ = `${CLEAN_ENV} ${NODE} ${JSON.stringify(CLI)}`;
const t = new Tmux("logviz-status");
let dir = "";

describe.skipIf(!hasTmux)("logviz status line (tmux)", () => {
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "logviz-status-"));
    t.stderrFile = join(dir, "stderr");
  });
  afterAll(() => {
    t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a saved file says end of input once read, with no key pressed; it grows: the new lines come in", async () => {
    const file = join(dir, "six.log");
    writeFileSync(file, Array.from({ length: 6 }, (_, i) => `00${i + 1}00 VOTE S${i % 3} line ${i} T1\n`).join(""));
    t.start(`${LOGVIZ} ${JSON.stringify(file)} 2>${t.stderrFile}`, 120, 20);
    const s = await t.waitFor((x) => statusOf(x).includes("6/6 lines"), "the file to be read");
    await t.waitFor((x) => statusOf(x).includes("end of input"), "the status to say end of input");
    expect(statusOf(s)).not.toContain("FOLLOW");
    appendFileSync(file, "000700 LOG1 S0 line 6 T1\n");
    const grown = await t.waitFor((x) => statusOf(x).includes("7/7 lines"), "the appended line");
    await t.waitFor((x) => statusOf(x).includes("7/7 lines") && statusOf(x).includes("end of input"), "end of input again");
    expect(statusOf(grown)).not.toContain("FOLLOW");
    t.keys("q");
  });

  it("a pipe whose producer exits at once says end of input, with no key pressed", async () => {
    const file = join(dir, "pipe.log");
    writeFileSync(file, Array.from({ length: 6 }, (_, i) => `00${i + 1}00 VOTE S${i % 3} line ${i} T1\n`).join(""));
    const producer = `${NODE} -e ${JSON.stringify(`process.stdout.write(require("fs").readFileSync(${JSON.stringify(file)}))`)}`;
    t.start(`${producer} | ${LOGVIZ} 2>${t.stderrFile}`, 120, 20);
    await t.waitFor((x) => statusOf(x).includes("6/6 lines") && statusOf(x).includes("end of input"), "end of input");
    t.keys("q");
  });
});
