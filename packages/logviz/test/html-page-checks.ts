// The checks of the HTML page (`logviz FILE --to html`) in a real browser, shared by every browser's test
// file (html.browser.test.ts: Debian's chromium through playwright-core; html.firefox.test.ts: Debian's
// firefox-esr through puppeteer-core), so each browser is held to exactly the same checks. A test file
// supplies a BrowserDriver (launch, open a file:// page, close); the pages, the expected values and the
// scripts run in the page live here.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeVisible } from "../src/filter.js";
import { escapeControls } from "../src/sanitize.js";
import { buildRunData, deliveredCount } from "../src/html/run-data.js";
import { renderRunPage } from "../src/html/run-page.js";
import { ev, storeOf } from "./helpers.js";
import { realTrace, receipts } from "./spacetime-traces.js";

/** One page open in the browser, through whichever library drives it. */
export interface DrivenPage {
  /** Uncaught page errors and dialogs (alert, confirm...) seen since the page opened. */
  readonly errors: readonly string[];
  title(): Promise<string>;
  /** The textContent of the first element matching `selector` (null: no such element). */
  text(selector: string): Promise<string | null>;
  /** How many elements match `selector`. */
  count(selector: string): Promise<number>;
  /** Replaces the input's value with `value`, typed as keys, then presses Enter in it. */
  typeAndEnter(selector: string, value: string): Promise<void>;
  /** Runs `fn(arg)` in the page (`fn` is serialized: it must not use anything from its closure). */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Resolves once `fn(arg)` is truthy in the page; rejects after `timeoutMs`. */
  waitUntil<A>(fn: (arg: A) => boolean, arg: A, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A launched browser. */
export interface BrowserDriver {
  /** Opens `fileUrl` in a new page and waits until the page says it is ready (body[data-ready]). */
  open(fileUrl: string): Promise<DrivenPage>;
  close(): Promise<void>;
}

/** Every delivered arrow the diagram draws, scrolling it from top to bottom (it draws only what is on screen). Runs in the page. */
async function arrowsDrawnInPage(): Promise<number> {
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
}

/** The store rows the table shows from its top, in display order. Runs in the page. */
async function tableRowsFromTopInPage(): Promise<number[]> {
  (document.getElementById("tbl") as HTMLElement).scrollTop = 0;
  // The panes redraw on the animation frame after a scroll: wait past it.
  await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  return Array.from(document.querySelectorAll("#tbl .row"))
    .map((r) => [Number(r.getAttribute("data-pos")), Number(r.getAttribute("data-row"))] as const)
    .sort((a, b) => a[0] - b[0])
    .map((x) => x[1]);
}

/** Whether the failure's row lies inside the table's and the diagram's visible areas. Runs in the page. */
async function failureOnScreenInPage(): Promise<{ table: boolean; diagram: boolean }> {
  await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const inside = (el: Element | null, box: HTMLElement, topInset: number): boolean => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return r.top >= b.top + topInset - 0.5 && r.bottom <= b.top + box.clientHeight + 0.5;
  };
  const tbl = document.getElementById("tbl") as HTMLElement;
  const head = (document.getElementById("tbl-head") as HTMLElement).getBoundingClientRect().height;
  return {
    table: inside(document.querySelector("#tbl .row.fail"), tbl, head),
    diagram: inside(document.querySelector("#dia rect.band.fail"), document.getElementById("dia") as HTMLElement, 0),
  };
}

const visibleCountIs = (n: number): boolean => document.getElementById("visible-count")?.textContent === String(n);

const HOSTILE = [
  `</script><script>document.title="pwned"</script>`,
  `<img src=x onerror="document.title='pwned-img'">`,
  `<b>bold</b> & &amp; \u2028 \u2029 <!-- x`,
  `"><svg onload="document.title='pwned-svg'">`,
];

function hostileTrace(): string {
  return (
    [
      ev({ t: 0, src: -1, op: "TestBegin", msg: "begin", test: `Test</title><script>document.title="pwned-t"</script>`, seed: 1 }),
      ...HOSTILE.map((msg, i) => ev({ t: i + 1, src: i % 2, op: "Log", topic: "INFO", msg })),
      ev({ t: 9, src: 0, op: "AppendEntries", topic: "LOG1", msg: HOSTILE[0], dst: 1, from: 0, id: "<x>", dir: "send", mterm: 1 }),
      ev({ t: 10, src: 1, op: "AppendEntries", topic: "LOG1", msg: HOSTILE[1], dst: 1, from: 0, id: "<x>", dir: "recv", mterm: 1 }),
      ev({ t: 11, src: -1, op: "Violation", msg: HOSTILE[1], reason: "<i>x</i>" }),
    ].join("\n") + "\n"
  );
}

/**
 * The page's checks in one browser: one arrow per delivered message of a real trace, a term filter showing
 * exactly logviz's rows, the failure on screen at load, search stepping from the first match, hostile
 * trace text rendered as text. Skipped, with `skipReason` in the suite's name, when it is not empty (no
 * browser installed).
 */
export function describePageChecks(browserName: string, skipReason: string, launch: () => Promise<BrowserDriver>): void {
  describe.skipIf(skipReason !== "")(`the HTML page in headless ${browserName}${skipReason ? ` (${skipReason})` : ""}`, () => {
    let browser: BrowserDriver | null = null;
    let dir = "";
    let text = "";
    let eventsDelivered = 0;

    async function open(html: string, name: string): Promise<DrivenPage> {
      const file = join(dir, name);
      writeFileSync(file, html);
      return browser!.open(pathToFileURL(file).href);
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "logviz-html-"));
      browser = await launch();
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
      const page = await open(renderRunPage(data), "arrows.html");
      expect(await page.text("#arrow-count")).toBe(String(eventsDelivered));
      expect(await page.evaluate(arrowsDrawnInPage, undefined)).toBe(eventsDelivered);
      expect(page.errors).toEqual([]);
      await page.close();
    }, 120_000);

    it("a term filter shows the rows logviz's own filter shows", async () => {
      const store = storeOf(text);
      const page = await open(renderRunPage(buildRunData(store, "reelection.jsonl")), "filter.html");
      expect(await page.text("#visible-count")).toBe(String(store.length));
      await page.typeAndEnter("#f-term", "2");
      const want = computeVisible(store, { term: { lo: 2, hi: 2 } });
      expect(want.length).toBeLessThan(store.length);
      await page.waitUntil(visibleCountIs, want.length, 10_000);
      // The table's rows from the top are the same store rows, in the same order.
      const shown = await page.evaluate(tableRowsFromTopInPage, undefined);
      expect(shown.length).toBeGreaterThan(5);
      expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => want.at(i)));
      // A bad range is an error on the page, not a crash.
      await page.typeAndEnter("#f-term", "5..3");
      expect(await page.text("#note")).toContain("bad term");
      expect(page.errors).toEqual([]);
      await page.close();
    }, 120_000);

    it("opens on the failure near the trace's end: its row is on screen in the table and the diagram", async () => {
      const lines = text.trimEnd().split("\n");
      const violation = ev({ t: 1e6, src: -1, op: "Violation", topic: "ERRO", msg: "two leaders in term 2", reason: "election safety" });
      const withFailure = [...lines.slice(0, -1), violation, lines.at(-1)].join("\n") + "\n";
      const page = await open(renderRunPage(buildRunData(storeOf(withFailure), "failed.jsonl")), "failure.html");
      expect(await page.text("#detail")).toContain("two leaders in term 2");
      expect(await page.evaluate(failureOnScreenInPage, undefined)).toEqual({ table: true, diagram: true });
      expect(page.errors).toEqual([]);
      await page.close();
    }, 120_000);

    it("search: Enter goes to the first match after the cursor, Enter again to the next", async () => {
      const page = await open(renderRunPage(buildRunData(storeOf(text), "reelection.jsonl")), "search.html");
      expect(await page.text("#detail")).toMatch(/^row 1 /); // the cursor starts on the first row (no failure)
      await page.typeAndEnter("#f-search", "RequestVote");
      expect(await page.text("#search-status")).toMatch(/^match 1 of \d+$/);
      expect(await page.text("#detail")).toContain("RequestVote");
      await page.typeAndEnter("#f-search", "RequestVote");
      expect(await page.text("#search-status")).toMatch(/^match 2 of \d+$/);
      expect(page.errors).toEqual([]);
      await page.close();
    }, 120_000);

    it("renders hostile message text as text: no element injected, no script run", async () => {
      const html = renderRunPage(buildRunData(storeOf(hostileTrace()), `<img src=x onerror=alert(1)>.jsonl`));
      const page = await open(html, "hostile.html");
      expect(await page.title()).toBe("logviz: <img src=x onerror=alert(1)>.jsonl");
      expect(await page.count("img, #tbl b, #tbl svg, #tbl script")).toBe(0);
      expect(await page.count("script")).toBe(2); // the data block and the page's own
      const texts = await page.evaluate(() => Array.from(document.querySelectorAll("#tbl .row"), (r) => r.textContent ?? "").join("\n"), undefined);
      // Shown as written (logviz escapes control and line-separator characters as it does everywhere).
      for (const h of HOSTILE) expect(texts).toContain(escapeControls(h));
      expect(await page.text("#failure-text")).toContain(`<img src=x onerror="document.title='pwned-img'">`);
      expect(await page.text("#replay-cmd")).toContain("</title><script>");
      expect(await page.text("#arrow-count")).toBe("1");
      expect(page.errors).toEqual([]);
      await page.close();
    }, 120_000);
  });
}
