// Escaping for HTML pages built from trace data (a run's page now, batch's report pages later). Trace
// text never becomes markup: text goes into elements through escapeHtml (server side) or textContent
// (client side), and data goes in as JSON inside <script type="application/json">, where `<` (so no
// `</script>` or `<!--` can end or change the block), `>`, `&` and U+2028/U+2029 are \u-escaped.

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text as HTML text or attribute content (quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** A value as JSON safe to place between <script type="application/json"> and </script>. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** The inverse the page's script applies: JSON.parse of the block's textContent (standard JSON). */
export const READ_JSON_BLOCK_JS = `function readJsonBlock(id){var el=document.getElementById(id);return JSON.parse(el?el.textContent:"null");}`;
