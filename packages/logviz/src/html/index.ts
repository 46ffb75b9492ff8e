// @raftlab/logviz/html: the HTML pages other packages build on (raftlab batch's report.html and its run
// pages). The page skeleton and escaping are shared so every raftlab page has one CSP and one escaping.
export { escapeHtml, jsonForScript, READ_JSON_BLOCK_JS } from "./escape.js";
export { BASE_CSS, renderPage, type PageParts } from "./page.js";
export { buildRunData, deliveredCount, type RunData } from "./run-data.js";
export { renderRunPage, type RunPageMeta } from "./run-page.js";
export { FILE_PAGE_MAX_ROWS, readFileStore, runPageOfFile, type FilePageOptions } from "./file-page.js";
export { CHROMIUM, CHROMIUM_ARGS } from "./chromium.js";
