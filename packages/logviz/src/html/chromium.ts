// How raftlab drives Debian's Chromium for its HTML pages (the bench's first-render figure and the
// browser tests): where the browser is and the flags it starts with. Without the background-networking
// flags Chromium keeps trying to reach Google's hosts, which a closed network refuses at every start.

/** The browser: $RAFTLAB_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env["RAFTLAB_CHROMIUM"] ?? "/usr/bin/chromium";

/** Headless, as root, with no network of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
