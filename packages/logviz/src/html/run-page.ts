// A run's page: `logviz FILE --to html`. One self-contained document: the space-time diagram (SVG,
// zoom and pan), the per-peer table, filters (term, topic, op, peer, role, test) and search, and the
// failure highlighted with its replay command. Reusable: batch's report pages can link or embed run
// pages built with renderRunPage(buildRunData(store, name), { title, replay }).
import { escapeHtml } from "./escape.js";
import { renderPage } from "./page.js";
import { RUN_CLIENT_JS } from "./run-client.js";
import type { RunData } from "./run-data.js";

export interface RunPageMeta {
  /** The page's title (default: "logviz: " and the source name). */
  readonly title?: string;
  /** The replay command to show, in place of the one derived from the trace (batch knows --impl). */
  readonly replay?: string | null;
}

export const RUN_PAGE_CSS = `
body{display:flex;flex-direction:column;height:100vh;overflow:hidden}
#controls{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:6px 12px;border-bottom:1px solid var(--line)}
#controls input[type=text]{width:9em;font:inherit;padding:1px 4px}
#controls label{white-space:nowrap}
.chk{margin-right:4px}
#failure{background:var(--badbg);border:1px solid var(--bad);padding:6px 10px;margin:6px 12px;border-radius:4px}
#failure b{color:var(--bad)}
#replay{margin:4px 12px}
#replay code{user-select:all;padding:1px 4px;border:1px solid var(--line);border-radius:3px}
main{flex:1;display:flex;min-height:0}
#dia-wrap{position:relative;flex:0 0 42%;display:flex;flex-direction:column;border-right:1px solid var(--line);min-width:200px}
#dia-head{position:relative;height:20px;overflow:hidden;border-bottom:1px solid var(--line)}
.lane-name{position:absolute;width:40px;text-align:center;font-weight:600}
#dia{position:relative;flex:1;overflow:auto;cursor:grab}
#dia svg.st{position:absolute;left:0}
#tbl{position:relative;flex:1;overflow:auto}
#tbl-head,.row{display:grid;grid-template-columns:7em 3.5em 4.5em repeat(var(--peers),minmax(12em,1fr));white-space:nowrap}
#tbl-head{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);font-weight:600;z-index:1}
#tbl-rows{position:relative}
.row{position:absolute;left:0;right:0;height:20px;line-height:20px;cursor:pointer}
.row .c{overflow:hidden;text-overflow:ellipsis;padding:0 4px;border-left:1px solid var(--line)}
.row.sel{background:var(--sel)}
.row.match{background:var(--hi)}
.row.fail{background:var(--badbg);color:var(--bad);font-weight:600}
.row .leader{color:var(--lead)}
.row .candidate{color:var(--cand)}
#detail{white-space:pre-wrap;border-top:1px solid var(--line);padding:4px 12px;max-height:6em;overflow:auto}
.lane{stroke:var(--line);stroke-width:1}
.lane.leader{stroke:var(--lead);stroke-width:4}
.lane.candidate{stroke:var(--cand);stroke-width:3;stroke-dasharray:4 3}
.band.sel{fill:var(--sel)}
.band.match{fill:var(--hi)}
.band.fail{fill:var(--badbg)}
.arrow{stroke-width:1.3;fill:none}
.arrow.req{stroke:var(--req)}
.arrow.rep{stroke:var(--rep);stroke-dasharray:5 3}
.arrow.lost{stroke:var(--lost)}
.arrow.stub{stroke:var(--dim);stroke-dasharray:2 2}
.arrow.hot{stroke:var(--lead);stroke-width:2.5}
.ah.req{fill:var(--req)}.ah.rep{fill:var(--rep)}.ah.hot{fill:var(--lead)}
.x{font:bold 12px sans-serif}.x.lost{fill:var(--lost)}.x.stub{fill:var(--dim)}
.ev{fill:var(--fg)}.ev.send{fill:var(--req)}.ev.recv{fill:var(--rep)}
.ev.harness{fill:var(--dim)}.ev.harness.fail{fill:var(--bad)}
.role{font:bold 11px sans-serif;fill:var(--fg);paint-order:stroke;stroke:var(--bg);stroke-width:3px}
.role.leader{fill:var(--lead)}.role.candidate{fill:var(--cand)}
.termlabel{font:10px sans-serif;fill:var(--dim)}
`;

function body(d: RunData, title: string): string {
  // Static markup only: the trace's text is filled in by the script with textContent. The title and the
  // peer names are escaped here (peer names are numbers; the title comes from a file name).
  const peerHeads = d.peers.map((p) => `<span>S${escapeHtml(String(p))}</span>`).join("");
  return `<header><h1>${escapeHtml(title)}</h1><div class="dim"><span id="source"></span> · <span id="visible-count">0</span>/<span id="total-count">0</span> rows · <span id="arrow-count">0</span> arrows · <span id="note" class="dim"></span></div></header>
<div id="failure" hidden><b>Failure</b> <span id="failure-text" class="mono"></span> <button id="failure-go" type="button">show</button></div>
<div id="replay" hidden>Replay: <code id="replay-cmd"></code></div>
<div id="controls">
<label>test <select id="f-test"><option value="">all</option></select></label>
<label>term <input id="f-term" type="text" placeholder="3 or 3..5"></label>
<label>topic <input id="f-topic" type="text" placeholder="VOTE,LEAD -TIMR"></label>
<label>op <input id="f-op" type="text" placeholder="AppendEntries -MsgLost"></label>
<span id="f-peers">peers </span>
<span>role <label class="chk"><input id="f-role-leader" type="checkbox">leader</label><label class="chk"><input id="f-role-candidate" type="checkbox">candidate</label><label class="chk"><input id="f-role-follower" type="checkbox">follower</label></span>
<label>search <input id="f-search" type="text" placeholder="regex (Enter, n/N)"></label><span id="search-status" class="dim"></span>
<button id="f-clear" type="button">clear</button>
<span>zoom <button id="zoom-in" type="button">+</button><button id="zoom-out" type="button">−</button></span>
<span class="dim">keys: j/k move · n/N match · e/E failure · +/− zoom · drag to pan</span>
</div>
<main><div id="dia-wrap"><div id="dia-head"></div><div id="dia"><div id="dia-space"></div></div></div>
<div id="tbl" style="--peers:${d.peers.length}"><div id="tbl-head"><span>ms</span><span>term</span><span>topic</span>${peerHeads}</div><div id="tbl-rows"></div></div></main>
<div id="detail" class="mono"></div>`;
}

/** A run's page as one HTML string. */
export function renderRunPage(d: RunData, meta: RunPageMeta = {}): string {
  const title = meta.title ?? `logviz: ${d.source}`;
  const data: RunData = meta.replay !== undefined ? { ...d, replay: meta.replay } : d;
  return renderPage({ title, css: RUN_PAGE_CSS, body: body(d, title), data, script: RUN_CLIENT_JS });
}
