// The HTML page (`logviz FILE --to html`) in a real browser: Debian's chromium, driven by playwright-core
// through its executablePath (no browser download). Loaded from file://. Skipped, with the reason in
// the suite's name, where no chromium is installed (.ci/run installs it with apt-get). The checks are
// html-page-checks.ts's, shared with html.firefox.test.ts.
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../src/html/chromium.js";
import { describePageChecks, type BrowserDriver, type DrivenPage } from "./html-page-checks.js";

export { CHROMIUM, CHROMIUM_ARGS };
const skipReason = existsSync(CHROMIUM) ? "" : `skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set RAFTLAB_CHROMIUM)`;

function drivenPage(page: Page): DrivenPage {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return {
    errors,
    title: () => page.title(),
    text: (selector) => page.textContent(selector),
    count: (selector) => page.$$eval(selector, (e) => e.length),
    async typeAndEnter(selector, value) {
      await page.fill(selector, value);
      await page.press(selector, "Enter");
    },
    // (The casts: playwright types a page function's argument as the serialized form of what is passed.)
    evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown),
    async waitUntil(fn, arg, timeoutMs) {
      await page.waitForFunction(fn as (arg: unknown) => boolean, arg as unknown, { timeout: timeoutMs });
    },
    close: () => page.close(),
  };
}

async function launchChromium(): Promise<BrowserDriver> {
  const { chromium } = await import("playwright-core");
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  return {
    async open(fileUrl) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const driven = drivenPage(page);
      await page.goto(fileUrl);
      await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
      return driven;
    },
    close: () => browser.close(),
  };
}

describePageChecks("Chromium", skipReason, launchChromium);
