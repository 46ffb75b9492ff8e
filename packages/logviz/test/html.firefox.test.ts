// The HTML page (`logviz FILE --to html`) in a real Firefox: Debian's firefox-esr, driven by
// puppeteer-core over WebDriver BiDi through its executablePath (puppeteer-core never downloads a
// browser; playwright-core cannot drive a stock Firefox, only its own patched build). Loaded from
// file://. Skipped, with the reason in the suite's name, where no Firefox is installed (.ci/run installs
// firefox-esr with apt-get). The checks are html-page-checks.ts's, the same as Chromium's.
import { existsSync } from "node:fs";
import type { Browser, Page } from "puppeteer-core";
import { describePageChecks, type BrowserDriver, type DrivenPage } from "./html-page-checks.js";

export const FIREFOX = process.env["RAFTLAB_FIREFOX"] ?? "/usr/bin/firefox-esr";
const skipReason = existsSync(FIREFOX) ? "" : `skipped: no browser at ${FIREFOX} (apt-get install firefox-esr, or set RAFTLAB_FIREFOX)`;

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
    text: (selector) => page.$eval(selector, (e) => e.textContent).catch(() => null),
    count: (selector) => page.$$eval(selector, (e) => e.length),
    async typeAndEnter(selector, value) {
      // Select what the input holds, so the typed keys replace it (as playwright's fill does).
      await page.focus(selector);
      await page.$eval(selector, (e) => (e as HTMLInputElement).select());
      await page.keyboard.type(value);
      await page.keyboard.press("Enter");
    },
    // (The casts: puppeteer types a page function's argument as what a handle passed for it would become.)
    evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown) as Promise<R>,
    async waitUntil(fn, arg, timeoutMs) {
      // Polled from here: puppeteer's waitForFunction builds its poller with Function(), which the page's
      // Content-Security-Policy (no eval) blocks; evaluate runs through WebDriver BiDi, outside the CSP.
      for (const deadline = Date.now() + timeoutMs; !(await page.evaluate(fn as (arg: unknown) => boolean, arg as unknown));) {
        if (Date.now() > deadline) throw new Error(`waitUntil: still false after ${timeoutMs} ms: ${String(fn)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => page.close(),
  };
}

async function launchFirefox(): Promise<BrowserDriver> {
  const puppeteer = (await import("puppeteer-core")).default;
  // defaultViewport null and the window's size as arguments: puppeteer's setViewport also overrides the
  // screen orientation, a WebDriver BiDi command Firefox 140 ESR does not know.
  const browser: Browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: null,
    args: ["--width=1400", "--height=900"],
    timeout: 60_000,
  });
  return {
    async open(fileUrl) {
      const page = await browser.newPage();
      const driven = drivenPage(page);
      await page.goto(fileUrl);
      await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
      return driven;
    },
    close: () => browser.close(),
  };
}

describePageChecks("Firefox", skipReason, launchFirefox);
