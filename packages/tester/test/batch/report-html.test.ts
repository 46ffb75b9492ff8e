// report.html and its run pages, as files (the browser test opens them): the numbers of the model, the
// caps, escaping of hostile names, link targets, and which saved files get a page.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildReportModel, MAX_LISTED_FAILURES, quantile, wallSpread } from "../../src/runs/html/model.js";
import { hrefOf } from "../../src/runs/html/page.js";
import { pageNameOf, writeReportHtml } from "../../src/runs/html/write.js";
import { niceCeil } from "../../src/runs/html/charts.js";
import type { RunRecord } from "../../src/runs/record.js";
import { wilsonInterval } from "../../src/runs/table.js";

const dir = mkdtempSync(join(tmpdir(), "raftlab-report-html-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(test: string, seed: number, ok: boolean, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    test,
    seed,
    ok,
    signature: ok ? null : `fail: ${test} broke`,
    kind: ok ? null : "fail",
    message: ok ? null : `${test} broke at seed ${seed}`,
    invariant: null,
    virtualMs: 1000 + seed,
    wallMs: 10 * seed,
    rpcs: null,
    bytes: null,
    cmds: null,
    peers: null,
    trace: null,
    log: null,
    traceTruncated: false,
    ...extra,
  };
}

const line = (o: Record<string, unknown>): string => JSON.stringify(o);
function traceText(test: string, seed: number, msg = "hello"): string {
  return (
    [
      line({ t: 0, src: -1, term: -1, state: "none", topic: "TEST", op: "TestBegin", msg: "begin", test, seed }),
      line({ t: 1, src: 0, term: 1, state: "candidate", topic: "VOTE", op: "RequestVote", msg, dst: 1, from: 0, id: "v1", dir: "send", mterm: 1 }),
      line({ t: 2, src: 1, term: 1, state: "follower", topic: "VOTE", op: "RequestVote", msg, dst: 1, from: 0, id: "v1", dir: "recv", mterm: 1 }),
      line({ t: 3, src: -1, term: -1, state: "none", topic: "TEST", op: "TestFail", msg: `failed: ${msg}` }),
    ].join("\n") + "\n"
  );
}

const input = (runs: readonly RunRecord[]) => ({
  kind: "batch" as const,
  title: "t",
  facts: [],
  notes: [],
  runs,
  replayOf: (r: RunRecord) => `raftlab run ${r.test} --seed ${r.seed}`,
});

describe("the report model", () => {
  it("rates, Wilson intervals and wall-time quantiles per test", () => {
    const runs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => run("TestA", s, s % 5 !== 0));
    const m = buildReportModel(input(runs));
    const [a] = m.tests;
    expect(a).toMatchObject({ test: "TestA", failed: 2, total: 10, rate: 0.2 });
    expect([a!.lo, a!.hi]).toEqual(wilsonInterval(2, 10));
    expect(a!.wall).toEqual({ n: 10, min: 10, p25: 32.5, median: 55, p75: 77.5, p90: 91, max: 100 });
    expect(quantile([], 0.5)).toBeNaN();
    expect(wallSpread([7])).toMatchObject({ min: 7, median: 7, p90: 7, max: 7 });
    expect(m.groups).toHaveLength(1);
    expect(m.groups[0]!.example).toEqual({ test: "TestA", seed: 5 });
    expect(m.failing.map((f) => f.seed)).toEqual([5, 10]);
    expect([m.passed, m.failed]).toEqual([8, 2]);
  });

  it("lists at most MAX_LISTED_FAILURES failing runs and counts the rest", () => {
    const runs = Array.from({ length: MAX_LISTED_FAILURES + 37 }, (_, i) => run("TestB", i + 1, false));
    const m = buildReportModel(input(runs));
    expect(m.failing).toHaveLength(MAX_LISTED_FAILURES);
    expect(m.moreFailing).toBe(37);
  });

  it("nice axis bounds", () => {
    expect([0.003, 0.2, 0.21, 0.65, 1, 1234].map(niceCeil)).toEqual([0.005, 0.2, 0.5, 1, 1, 2000]);
  });
});

describe("writing report.html", () => {
  it("renders a page per saved failing trace, with the given replay command, and links only pages that exist", () => {
    const out = join(dir, "pages");
    const runs = [
      run("TestA", 1, true),
      run("TestA", 2, false, { trace: "TestA-2.jsonl", log: "TestA-2.log" }),
      run("TestA", 3, false, { trace: "TestA-3.jsonl" }),
      run("TestA", 4, false),
    ];
    mkdirSync(out);
    writeFileSync(join(out, "TestA-2.jsonl"), traceText("TestA", 2));
    // TestA-3.jsonl is missing: no page, a note, no link to a page.
    const w = writeReportHtml(input(runs), { dir: out, sourceOf: (r) => r.trace, needPeerEvents: false });
    expect(w.pages).toBe(1);
    expect(w.problems).toEqual([expect.stringContaining("no page for TestA-3.jsonl: ENOENT")]);
    const page = readFileSync(join(out, "TestA-2.html"), "utf8");
    expect(page).toContain("raftlab run TestA --seed 2");
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('href="TestA-2.html"');
    expect(html).not.toContain('href="TestA-3.html"');
    expect(html).toContain('href="TestA-3.jsonl"');
    expect(html).toContain("no page for TestA-3.jsonl");
    expect(html).toContain("Content-Security-Policy");
  });

  it("caps the pages, group examples first", () => {
    const out = join(dir, "cap");
    const runs = [1, 2, 3, 4, 5].map((s) => run(s === 4 ? "TestZ" : "TestY", s, false, { trace: `T-${s}.jsonl`, signature: s === 4 ? "other" : "same" }));
    mkdirSync(out);
    for (const s of [1, 2, 3, 4, 5]) writeFileSync(join(out, `T-${s}.jsonl`), traceText("TestY", s));
    const w = writeReportHtml(input(runs), { dir: out, sourceOf: (r) => r.trace, needPeerEvents: false, maxPages: 2 });
    expect(w.pages).toBe(2);
    // The two groups' examples (least virtual time: seeds 1 and 4) have pages; the rest do not.
    expect([1, 2, 3, 4, 5].map((s) => existsSync(join(out, `T-${s}.html`)))).toEqual([true, false, false, true, false]);
    expect(w.problems).toContain("3 more saved runs have no page (at most 2 pages): open their saved files with logviz");
  });

  it("escapes hostile test names, messages and facts, and never follows a file name out of the folder", () => {
    const out = join(dir, "hostile");
    const evil = `<script>alert(1)</script>"'&`;
    const runs = [run(evil, 1, false, { message: `<img src=x onerror=alert(2)>`, signature: `<b>sig</b>`, trace: "../outside.jsonl", log: "/etc/passwd" })];
    const w = writeReportHtml(
      {
        ...input(runs),
        title: `<title>${evil}`,
        facts: [["impl", `</dd><script>x</script>`]],
        notes: [`<i>note</i>`],
        replayOf: () => `raftlab run '${evil}' --seed 1`,
      },
      { dir: out, sourceOf: (r) => r.trace, needPeerEvents: false },
    );
    expect(w.problems).toEqual(["no page for ../outside.jsonl: not a file name inside " + out]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    const body = html.slice(html.indexOf("<body>"), html.indexOf('<script type="application/json"'));
    for (const bad of ["<script>", "<img", "<b>sig", "<i>note", "</dd><script>"]) expect(body).not.toContain(bad);
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
    expect(body).not.toContain("passwd");
    expect(body).not.toContain('outside.jsonl"');
    // The data block cannot end early.
    const data = html.slice(html.indexOf('<script type="application/json"'));
    expect(data.indexOf("</script>")).toBe(data.indexOf("</script>\n<script>"));
  });

  it("shows a group's shrunk example (batch --shrink): faults left, its replay, the schedule, and a page of the shrunk trace", () => {
    const out = join(dir, "shrunk");
    mkdirSync(out);
    writeFileSync(join(out, "TestS-2.jsonl"), traceText("TestS", 2));
    writeFileSync(join(out, "TestS-2.shrunk.jsonl"), traceText("TestS", 2, "shrunk"));
    writeFileSync(join(out, "TestS-2.schedule.json"), "{}");
    const runs = [run("TestS", 2, false, { trace: "TestS-2.jsonl" }), run("TestT", 3, false, { signature: "other", trace: null })];
    const shrinks = [
      {
        test: "TestS",
        seed: 2,
        signature: "fail: TestS broke",
        status: "shrunk" as const,
        detail: "done after 40 runs",
        schedule: "TestS-2.schedule.json",
        trace: "TestS-2.shrunk.jsonl",
        replay: "raftlab run TestS --schedule out/TestS-2.schedule.json --trace | logviz",
        faultsBefore: 30,
        faultsAfter: 2,
        faults: ["t=1.200s crash S2", "t=1.500s <drop> S0 -> S1"],
        sameFailure: true,
      },
      { test: "TestT", seed: 3, signature: "other", status: "skipped" as const, detail: "<no schedule>" },
    ];
    const w = writeReportHtml(
      { ...input(runs), shrinks },
      { dir: out, sourceOf: (r) => r.trace, needPeerEvents: false, runTitle: (r) => `${r.test} seed ${r.seed}` },
    );
    expect(w.pages).toBe(2);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('shrunk: <b class="mono">faults: 30 -&gt; 2');
    expect(html).toContain("t=1.500s &lt;drop&gt; S0 -&gt; S1");
    expect(html).toContain('<code class="cmd shrunk-replay">raftlab run TestS --schedule out/TestS-2.schedule.json --trace | logviz</code>');
    expect(html).toContain('href="TestS-2.schedule.json"');
    expect(html).toContain('href="TestS-2.shrunk.html"');
    expect(html).toContain("not shrunk (skipped): &lt;no schedule&gt;");
    const page = readFileSync(join(out, "TestS-2.shrunk.html"), "utf8");
    expect(page).toContain("<title>TestS seed 2, shrunk</title>");
    expect(page).toContain("--schedule out/TestS-2.schedule.json");
  });

  it("percent-encodes link targets per segment, and names pages after their file", () => {
    expect(hrefOf(`a b#?%"<.html`)).toBe("a%20b%23%3F%25%22%3C.html");
    expect(hrefOf("javascript:alert(1)")).toBe("javascript%3Aalert(1)");
    expect([pageNameOf("T-1.jsonl"), pageNameOf("T-1.jsonl.gz"), pageNameOf("7.log"), pageNameOf("noext")]).toEqual([
      "T-1.html",
      "T-1.html",
      "7.html",
      "noext.html",
    ]);
  });

  it("a stress log gets a page only when logviz finds peer events in it (dslogs lines)", () => {
    const out = join(dir, "stress");
    mkdirSync(out);
    writeFileSync(join(out, "3.log"), "out 3.0\nassertion failed: got 21, want 0\n");
    writeFileSync(
      join(out, "6.log"),
      "=== RUN   TestX3A\n000010 VOTE S0 Candidate@T1 -> S1 RequestVote\n000020 VOTE S1 Follower@T1 <- S0 RequestVote\n--- FAIL: TestX3A (0.01s)\n",
    );
    const runs = [run("cmd", 3, false, { log: "3.log" }), run("cmd", 6, false, { log: "6.log" })];
    const w = writeReportHtml({ ...input(runs), kind: "stress" }, { dir: out, sourceOf: (r) => r.log, needPeerEvents: true });
    expect(w.pages).toBe(1);
    expect(existsSync(join(out, "3.html"))).toBe(false);
    expect(existsSync(join(out, "6.html"))).toBe(true);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain('href="6.html"');
    expect(html).toContain('href="3.log"');
    expect(html).toContain("<th>iteration</th>");
  });
});
