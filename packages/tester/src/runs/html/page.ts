// report.html: the summary of a batch or stress report as one self-contained page (logviz's page
// skeleton: inline CSS, a CSP that fetches nothing, data as an escaped JSON block). All markup is built
// here from constants, numbers and escapeHtml'd text; link targets are file names percent-encoded per
// path segment, then escaped. The page needs no script to read; its only script marks it ready.

import { escapeHtml, renderPage } from "@raftlab/logviz/html";
import { failureRateChart, fmtMs, pct, wallTimeChart } from "./charts.js";
import type { FailingRow, GroupRow, ReportModel, RunLinks, ShrunkRow } from "./model.js";

const REPORT_CSS = `
main{padding:8px 16px 32px;max-width:1400px}
h2{font-size:14px;margin:20px 0 6px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
dl.facts dt{color:var(--dim)}
dl.facts dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.totals{font-weight:600}
.note{background:var(--hi);padding:2px 8px;margin:4px 0;border-radius:3px}
table{border-collapse:collapse}
th,td{border-bottom:1px solid var(--line);padding:2px 8px;text-align:right;vertical-align:top}
th{position:sticky;top:0;background:var(--bg)}
td.l,th.l{text-align:left}
tr.failing td{color:var(--bad)}
td.msg{max-width:48em;overflow-wrap:anywhere;text-align:left}
code.cmd{user-select:all;padding:1px 4px;border:1px solid var(--line);border-radius:3px;overflow-wrap:anywhere}
.group{border:1px solid var(--line);border-radius:4px;padding:6px 10px;margin:8px 0}
.group .sig{font-weight:600;overflow-wrap:anywhere}
.group .count{color:var(--bad);font-weight:600}
.verdict-same{color:var(--rep)}.verdict-differs{color:var(--bad);font-weight:600}.verdict-skipped{color:var(--dim)}
svg.chart{display:block;max-width:100%;height:auto;font:11px system-ui,sans-serif}
svg.chart .label,svg.chart .value,svg.chart .tick{fill:var(--fg)}
svg.chart .tick{fill:var(--dim)}
svg.chart .grid{stroke:var(--line)}
svg.chart .bar{fill:var(--req)}
svg.chart .bar.failing{fill:var(--bad)}
svg.chart .ci{stroke:var(--fg);stroke-width:1.5}
svg.chart .whisker{stroke:var(--dim);stroke-width:1}
svg.chart .box{fill:var(--sel);stroke:var(--req)}
svg.chart .median{stroke:var(--fg);stroke-width:2}
svg.chart .p90{stroke:var(--lead);stroke-width:2}
.legend{color:var(--dim);font-size:12px}
.shrunk{margin-top:4px;padding-left:10px;border-left:3px solid var(--req)}
.shrunk ul{margin:2px 0;padding-left:18px}
`;

/** A relative link target: each path segment percent-encoded (a file name never becomes markup or a scheme). */
export function hrefOf(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

function link(file: string, text: string, cls = ""): string {
  return `<a${cls !== "" ? ` class="${cls}"` : ""} href="${escapeHtml(hrefOf(file))}">${escapeHtml(text)}</a>`;
}

function linksCell(l: RunLinks, pageText = "run page", pageClass = "run-page"): string {
  const parts: string[] = [];
  if (l.page !== null) parts.push(link(l.page, pageText, pageClass));
  for (const f of l.files) parts.push(link(f, f.replace(/^.*\//, ""), "file"));
  return parts.length === 0 ? `<span class="dim">not saved</span>` : parts.join(" · ");
}

function header(m: ReportModel): string {
  const facts = m.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
  const notes = m.notes.map((n) => `<div class="note">${escapeHtml(n)}</div>`).join("");
  return `<header><h1>${escapeHtml(m.title)}</h1>
<div class="totals"><span id="passed">${m.passed}</span> passed, <span id="failed" class="${m.failed > 0 ? "bad" : ""}">${m.failed}</span> failed</div>
<dl class="facts">${facts}</dl>${notes}</header>`;
}

function testsTable(m: ReportModel): string {
  const rows = m.tests.map((t) => {
    const w = t.wall;
    const cells = [
      `<td class="l test">${escapeHtml(t.test)}</td>`,
      `<td class="failed">${t.failed}</td>`,
      `<td class="total">${t.total}</td>`,
      `<td class="rate">${escapeHtml(pct(t.rate))}</td>`,
      `<td class="ci">${escapeHtml(`${pct(t.lo)}–${pct(t.hi)}`)}</td>`,
      ...(w === null ? ["-", "-", "-", "-"] : [w.min, w.median, w.p90, w.max].map(fmtMs)).map((v) => `<td>${escapeHtml(v)}</td>`),
    ];
    return `<tr class="test-row${t.failed > 0 ? " failing" : ""}" data-test="${escapeHtml(t.test)}">${cells.join("")}</tr>`;
  });
  const more = m.moreTests > 0 ? `<p class="note">${m.moreTests} more tests are in report.json (the page lists the first ${m.tests.length}).</p>` : "";
  return `<h2>Tests</h2><table id="tests"><thead><tr><th class="l">Test</th><th>Failed</th><th>Total</th><th>Fail rate</th><th>95% CI</th><th>Wall min</th><th>median</th><th>p90</th><th>max</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

function charts(m: ReportModel): string {
  if (m.tests.length === 0) return "";
  return `<h2>Failure rate per test</h2><div class="legend">bar: failures / runs; line: 95% Wilson interval</div>${failureRateChart(m.tests)}
<h2>Wall time per test</h2><div class="legend">whiskers: min–max; box: 25th–75th percentile; black bar: median; orange tick: 90th percentile</div>${wallTimeChart(m.tests)}`;
}

function shrunkBlock(s: ShrunkRow): string {
  if (s.summary === null) return `<div class="shrunk dim">not shrunk (${escapeHtml(s.status)}): ${escapeHtml(s.detail)}</div>`;
  const faults =
    s.faults.map((f) => `<li class="mono">${escapeHtml(f)}</li>`).join("") +
    (s.moreFaults > 0 ? `<li class="dim">… ${s.moreFaults} more in the schedule</li>` : "");
  return `<div class="shrunk"><div>shrunk: <b class="mono">${escapeHtml(s.summary)}</b>${s.sameFailure ? "" : ` <span class="bad">(no longer fails the same way)</span>`} <span class="dim">${escapeHtml(s.detail)}</span></div>
${faults !== "" ? `<ul>${faults}</ul>` : ""}${s.replay !== null ? `<div>replay: <code class="cmd shrunk-replay">${escapeHtml(s.replay)}</code></div>` : ""}
<div>${linksCell(s.links, "shrunk run page", "shrunk-page")}</div></div>`;
}

function group(g: GroupRow, i: number, runWord: string): string {
  const tests = g.tests.map((t) => `${escapeHtml(t.test)} (${t.count})`).join(", ") + (g.moreTests > 0 ? `, … ${g.moreTests} more` : "");
  const check =
    g.check === null
      ? ""
      : `<div class="verdict-${escapeHtml(g.check.verdict)}">${escapeHtml(g.check.verdict === "same" ? "✓ replayed: " : g.check.verdict === "differs" ? "✗ REPLAY DIFFERS: " : "replay not checked: ")}${escapeHtml(g.check.detail)}</div>`;
  return `<div class="group" data-signature="${escapeHtml(g.signature)}"><div><span class="count">[${i + 1}] ${g.count}×</span> <span class="sig mono">${escapeHtml(g.signature)}</span></div>
<div>tests: ${tests}</div>
${g.message !== "" ? `<div>e.g. <span class="mono">${escapeHtml(g.message)}</span> <span class="dim">(${escapeHtml(g.example.test)} ${runWord} ${g.example.seed})</span></div>` : ""}
<div>replay: <code class="cmd replay">${escapeHtml(g.replay)}</code></div>${check}
<div>${linksCell(g.links)}</div>${g.shrunk !== null ? shrunkBlock(g.shrunk) : ""}</div>`;
}

function groups(m: ReportModel, runWord: string): string {
  if (m.groups.length === 0) return `<h2>Failure groups</h2><p id="no-failures">No failures.</p>`;
  return `<h2>Failure groups</h2><div id="groups">${m.groups.map((g, i) => group(g, i, runWord)).join("")}</div>`;
}

function failingRow(r: FailingRow): string {
  return `<tr class="run" data-test="${escapeHtml(r.test)}" data-seed="${r.seed}"><td class="l">${escapeHtml(r.test)}</td><td>${r.seed}</td><td class="l">${escapeHtml(r.kind)}</td><td class="msg">${escapeHtml(r.message)}</td><td class="l">${linksCell(r.links)}</td><td class="l"><code class="cmd">${escapeHtml(r.replay)}</code></td></tr>`;
}

function failing(m: ReportModel, runWord: string): string {
  if (m.failing.length === 0) return "";
  const more =
    m.moreFailing > 0
      ? `<p class="note" id="more-failing">${m.moreFailing} more failing runs are not listed here: see ${link("report.json", "report.json")} and the saved files in this folder.</p>`
      : "";
  return `<h2>Failing runs</h2><table id="failing"><thead><tr><th class="l">Test</th><th>${escapeHtml(runWord)}</th><th class="l">Kind</th><th class="l">Message</th><th class="l">Saved</th><th class="l">Replay</th></tr></thead><tbody>${m.failing.map(failingRow).join("")}</tbody></table>${more}`;
}

/** The whole report page. */
export function renderReportPage(m: ReportModel): string {
  const runWord = m.kind === "stress" ? "iteration" : "seed";
  const body = `${header(m)}<main>${testsTable(m)}${charts(m)}${groups(m, runWord)}${failing(m, runWord)}</main>`;
  return renderPage({ title: m.title, css: REPORT_CSS, body, data: m, script: `document.body.setAttribute("data-ready","1");` });
}
