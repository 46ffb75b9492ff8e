// Escaping for the HTML pages: the data block can hold any text without ending the script element.
import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript } from "../src/html/escape.js";
import { renderPage } from "../src/html/page.js";

describe("html escaping", () => {
  it("jsonForScript leaves no <, >, & or line separators, and parses back to the same value", () => {
    const v = { a: "</script><script>alert(1)</script>", b: "<!-- \u2028\u2029 & >", c: [1, "x"] };
    const s = jsonForScript(v);
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual(v);
  });

  it("escapeHtml escapes markup and quotes", () => {
    expect(escapeHtml(`<img src="x" onerror='y'>&`)).toBe("&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;");
  });

  it("a page has exactly its own two script elements, whatever the data and title hold", () => {
    const html = renderPage({ title: "</title><script>x</script>", css: "", body: "", data: { t: "</script><script>x()</script>" }, script: "void 0" });
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain("Content-Security-Policy");
  });
});
