// The HTML page (`logviz FILE --to html`) in a real browser: Debian's chromium, driven by playwright-core
// through its executablePath (no browser download). Loaded from file://. Skipped, with the reason in
// the suite's name, where no chromium is installed (.ci/run installs it with apt-get).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeVisible } from "../src/filter.js";
import { escapeControls } from "../src/sanitize.js";
import { buildRunData, deliveredCount } from "../src/html/run-data.js";
import { renderRunPage } from "../src/html/run-page.js";
import { ev, storeOf } from "./helpers.js";
import { realTrace, receipts } from "./spacetime-traces.js";

export const CHROMIUM = process.env["RAFTLAB_CHROMIUM"] ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const skipReason = existsSync(CHROMIUM) ? "" : `skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set RAFTLAB_CHROMIUM)`;

let browser: Browser | null = null;
let dir = "";

async function open(html: string, name: string, height = 900): Promise<{ page: Page; errors: string[] }> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const page = await browser!.newPage({ viewport: { width: 1400, height } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
  return { page, errors };
}

/** Every delivered arrow the diagram draws, scrolling it from top to bottom (it draws only what is on screen). */
async function arrowsDrawn(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const dia = document.getElementById("dia") as HTMLElement;
    const seen = new Set<string>();
    const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    for (let y = 0; ; y += Math.max(20, Math.floor(dia.clientHeight / 2))) {
      dia.scrollTop = y;
      await frame();
      for (const l of document.querySelectorAll("#dia line.arrow.delivered")) seen.add(l.getAttribute("data-msg") ?? "");
      if (y >= dia.scrollHeight) break;
    }
    return seen.size;
  });
}

describe.skipIf(skipReason !== "")(`the HTML page in headless Chromium${skipReason ? ` (${skipReason})` : ""}`, () => {
  let text = "";
  let eventsDelivered = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "logviz-html-"));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const r = await realTrace("TestReElection3A", 3);
    text = r.text;
    eventsDelivered = receipts(r.events);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("draws one arrow per delivered message of the trace", async () => {
    const store = storeOf(text);
    const data = buildRunData(store, "reelection.jsonl");
    expect(deliveredCount(data)).toBe(eventsDelivered);
    const { page, errors } = await open(renderRunPage(data), "arrows.html");
    expect(await page.textContent("#arrow-count")).toBe(String(eventsDelivered));
    expect(await arrowsDrawn(page)).toBe(eventsDelivered);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a term filter shows the rows logviz's own filter shows", async () => {
    const store = storeOf(text);
    const { page, errors } = await open(renderRunPage(buildRunData(store, "reelection.jsonl")), "filter.html");
    expect(await page.textContent("#visible-count")).toBe(String(store.length));
    await page.fill("#f-term", "2");
    await page.press("#f-term", "Enter");
    const want = computeVisible(store, { term: { lo: 2, hi: 2 } });
    expect(want.length).toBeLessThan(store.length);
    await page.waitForFunction((n) => document.getElementById("visible-count")?.textContent === String(n), want.length, { timeout: 10_000 });
    // The table's rows from the top are the same store rows, in the same order.
    await page.evaluate(() => ((document.getElementById("tbl") as HTMLElement).scrollTop = 0));
    await page.waitForTimeout(50);
    const shown = await page.$$eval("#tbl .row", (rs) => rs.map((r) => [Number(r.getAttribute("data-pos")), Number(r.getAttribute("data-row"))]).sort((a, b) => a[0]! - b[0]!).map((x) => x[1]));
    expect(shown.length).toBeGreaterThan(5);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => want.at(i)));
    // A bad range is an error on the page, not a crash.
    await page.fill("#f-term", "5..3");
    await page.press("#f-term", "Enter");
    expect(await page.textContent("#note")).toContain("bad term");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("renders hostile message text as text: no element injected, no script run", async () => {
    const hostile = [
      `</script><script>document.title="pwned"</script>`,
      `<img src=x onerror="document.title='pwned-img'">`,
      `<b>bold</b> & &amp; \u2028 \u2029 <!-- x`,
      `"><svg onload="document.title='pwned-svg'">`,
    ];
    const trace =
      [
        ev({ t: 0, src: -1, op: "TestBegin", msg: "begin", test: `Test</title><script>document.title="pwned-t"</script>`, seed: 1 }),
        ...hostile.map((msg, i) => ev({ t: i + 1, src: i % 2, op: "Log", topic: "INFO", msg })),
        ev({ t: 9, src: 0, op: "AppendEntries", topic: "LOG1", msg: hostile[0], dst: 1, from: 0, id: "<x>", dir: "send", mterm: 1 }),
        ev({ t: 10, src: 1, op: "AppendEntries", topic: "LOG1", msg: hostile[1], dst: 1, from: 0, id: "<x>", dir: "recv", mterm: 1 }),
        ev({ t: 11, src: -1, op: "Violation", msg: hostile[1], reason: "<i>x</i>" }),
      ].join("\n") + "\n";
    const html = renderRunPage(buildRunData(storeOf(trace), `<img src=x onerror=alert(1)>.jsonl`));
    const { page, errors } = await open(html, "hostile.html");
    expect(await page.title()).toBe("logviz: <img src=x onerror=alert(1)>.jsonl");
    expect(await page.$$eval("img, #tbl b, #tbl svg, #tbl script", (e) => e.length)).toBe(0);
    expect(await page.$$eval("script", (s) => s.length)).toBe(2); // the data block and the page's own
    const texts = await page.$$eval("#tbl .row", (rs) => rs.map((r) => r.textContent ?? "").join("\n"));
    // Shown as written (logviz escapes control and line-separator characters as it does everywhere).
    for (const h of hostile) expect(texts).toContain(escapeControls(h));
    expect(await page.textContent("#failure-text")).toContain(`<img src=x onerror="document.title='pwned-img'">`);
    expect(await page.textContent("#replay-cmd")).toContain("</title><script>");
    expect(await page.textContent("#arrow-count")).toBe("1");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
