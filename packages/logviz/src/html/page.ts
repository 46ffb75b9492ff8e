// The skeleton every raftlab HTML page shares (a run's page now; batch's report.html and triage pages
// can reuse it): one self-contained document, inline CSS and JS, no network (a Content-Security-Policy
// forbids any fetch), data as an escaped JSON block.
import { escapeHtml, jsonForScript } from "./escape.js";

export interface PageParts {
  readonly title: string;
  /** Page-specific CSS, after the shared base. */
  readonly css: string;
  /** Static body markup: built only from constants and escapeHtml'd text. */
  readonly body: string;
  /** Data for the script, read with readJsonBlock("data"). */
  readonly data: unknown;
  /** The page's script (plain JS). */
  readonly script: string;
}

/** The shared base style: light and dark, monospace data. */
export const BASE_CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--dim:#6a737d;--line:#d0d7de;--hi:#fff8c5;--sel:#ddf4ff;--bad:#cf222e;--badbg:#ffebe9;--lead:#bf8700;--cand:#8250df;--req:#0969da;--rep:#1a7f37;--lost:#cf222e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#8b949e;--line:#30363d;--hi:#3b2e00;--sel:#0c2d6b;--bad:#ff7b72;--badbg:#3c1618;--lead:#d29922;--cand:#bc8cff;--req:#58a6ff;--rep:#3fb950;--lost:#ff7b72}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:13px/1.4 system-ui,sans-serif}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
header{padding:8px 12px;border-bottom:1px solid var(--line)}
h1{font-size:16px;margin:0 0 4px}
.dim{color:var(--dim)}
.bad{color:var(--bad)}
`;

/** A complete HTML document. The Content-Security-Policy allows only the page's own inline style and
 * script: nothing is fetched, so the page works from file:// and offline. */
export function renderPage(p: PageParts): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${BASE_CSS}${p.css}</style>
</head><body>
${p.body}
<script type="application/json" id="data">${jsonForScript(p.data)}</script>
<script>${p.script}</script>
</body></html>
`;
}
