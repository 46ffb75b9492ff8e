// The interactive viewer's state and key handling, kept apart from React so it is easy to test and
// so a frame is one function of the state: frame() returns exactly the lines to draw.
import { computeVisible, extendVisible, FilterError, peerShown, type Filter, type VisibleRows } from "./filter.js";
import { computeLayout, fullText, topicWidthOf, type Layout } from "./layout.js";
import { F, Kind, LogStore } from "./store.js";
import type { Style } from "./style.js";
import { escapeControls } from "./sanitize.js";
import { applyFilterPrompt, PROMPT_MAX, promptInitial, type PromptKind } from "./prompts.js";
import { drawFrame } from "./screen.js";
import { exchangeOf } from "./detail.js";

export interface KeyLike {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
}

export interface ViewerOptions {
  readonly store: LogStore;
  readonly style: Style;
  readonly filter?: Filter;
  readonly source: string;
  readonly width: number;
  readonly height: number;
  readonly follow?: boolean;
  /** The input is still open (a pipe or a followed file). */
  readonly live?: boolean;
}

export class Viewer {
  readonly store: LogStore;
  readonly style: Style;
  readonly source: string;
  filter: Filter;
  visible: VisibleRows;
  /** Position of the selected row in `visible`. */
  cursor = 0;
  /** Position of the first drawn row. */
  top = 0;
  follow: boolean;
  live: boolean;
  width: number;
  height: number;
  hscroll = 0;
  prompt: { kind: PromptKind; text: string } | null = null;
  help = false;
  detail = false;
  search: RegExp | null = null;
  message = "";
  messageIsError = false;
  quit = false;
  /** Time of the last filter recomputation, ms (shown to the curious in the status line). */
  lastFilterMs = 0;

  constructor(o: ViewerOptions) {
    this.store = o.store;
    this.style = o.style;
    this.source = o.source;
    this.filter = o.filter ?? {};
    this.width = o.width;
    this.height = o.height;
    this.follow = o.follow ?? false;
    this.live = o.live ?? false;
    this.visible = computeVisible(this.store, this.filter);
    if (this.follow) this.cursor = Math.max(0, this.visible.length - 1);
  }

  // ---- data and geometry -------------------------------------------------------------------

  /** New rows arrived: extend the index; in follow mode, stay at the end. */
  onData(): void {
    extendVisible(this.store, this.filter, this.visible);
    if (this.follow) this.cursor = Math.max(0, this.visible.length - 1);
  }

  setLive(live: boolean): void {
    this.live = live;
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }

  private get bodyHeight(): number {
    return Math.max(1, this.height - 3 - this.detailHeight);
  }

  get detailHeight(): number {
    return this.detail ? Math.min(16, Math.max(6, Math.floor(this.height * 0.45))) : 0;
  }

  layout(): Layout {
    const peers = this.store.peers.filter((p) => peerShown(this.filter, p));
    return computeLayout(this.width, peers, this.hscroll, topicWidthOf(this.store));
  }

  selectedRow(): number | undefined {
    return this.visible.length > 0 ? this.visible.at(Math.min(this.cursor, this.visible.length - 1)) : undefined;
  }

  // ---- filters -----------------------------------------------------------------------------

  setFilter(f: Filter): void {
    const keep = this.selectedRow() ?? 0;
    const t0 = performance.now();
    this.filter = f;
    this.visible = computeVisible(this.store, f);
    this.lastFilterMs = performance.now() - t0;
    this.cursor = Math.min(this.visible.lowerBound(keep), Math.max(0, this.visible.length - 1));
    if (this.follow) this.cursor = Math.max(0, this.visible.length - 1);
    this.hscroll = 0;
  }

  private applyPrompt(kind: PromptKind, text: string): void {
    if (kind === "search") return this.setSearch(text);
    this.setFilter(applyFilterPrompt(kind, text, this.filter));
  }

  private togglePeer(p: number): void {
    const f = this.filter;
    if (f.peers && f.peers.length > 0) {
      const peers = f.peers.includes(p) ? f.peers.filter((x) => x !== p) : [...f.peers, p].sort((a, b) => a - b);
      this.setFilter({ ...f, peers: peers.length ? peers : undefined });
    } else {
      const hide = f.hidePeers ?? [];
      const hidePeers = hide.includes(p) ? hide.filter((x) => x !== p) : [...hide, p].sort((a, b) => a - b);
      this.setFilter({ ...f, hidePeers: hidePeers.length ? hidePeers : undefined });
    }
  }

  // ---- search and jumps --------------------------------------------------------------------

  setSearch(pattern: string): void {
    if (pattern === "") {
      this.search = null;
      return;
    }
    try {
      // Smart case: a pattern with no capitals matches either case.
      this.search = new RegExp(pattern, /[A-Z]/.test(pattern) ? "g" : "gi");
    } catch (e) {
      this.search = null;
      throw new FilterError(`bad pattern: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.searchNext(1, true);
  }

  private rowMatches(re: RegExp, r: number): boolean {
    re.lastIndex = 0;
    const kind = this.store.kind[r] as Kind;
    const text = kind === Kind.Json && this.store.src[r] === -1 ? fullText(this.store, r) : (this.store.text[r] ?? "");
    return re.test(text);
  }

  /** Moves to the next (dir 1) or previous (-1) visible match, wrapping around. */
  searchNext(dir: 1 | -1, includeCurrent = false): void {
    const re = this.search;
    if (!re) {
      this.note("no search: press / to search", true);
      return;
    }
    const n = this.visible.length;
    if (n === 0) return;
    for (let k = includeCurrent ? 0 : 1; k <= n; k++) {
      const pos = (((this.cursor + dir * k) % n) + n) % n;
      if (this.rowMatches(re, this.visible.at(pos))) {
        const wrapped = dir > 0 ? pos < this.cursor : pos > this.cursor;
        this.moveTo(pos);
        this.note(wrapped ? "search wrapped" : "", false);
        return;
      }
    }
    this.note(`pattern not found: ${escapeControls(re.source)}`, true);
  }

  /** Next/previous visible row at or after a flagged row (term change, test, failure). */
  jumpFlag(mask: number, dir: 1 | -1, what: string): void {
    const cur = this.selectedRow();
    if (cur === undefined) return;
    const flags = this.store.flags;
    if (dir > 0) {
      for (let r = cur + 1; r < this.store.length; r++) {
        if (((flags[r] as number) & mask) === 0) continue;
        const pos = this.visible.lowerBound(r);
        if (pos > this.cursor && pos < this.visible.length) return this.moveTo(pos);
      }
    } else {
      for (let r = cur - 1; r >= 0; r--) {
        if (((flags[r] as number) & mask) === 0) continue;
        const pos = this.visible.lowerBound(r);
        if (pos < this.cursor) return this.moveTo(pos);
      }
    }
    this.note(`no ${dir > 0 ? "next" : "previous"} ${what}`, true);
  }

  /** Moves to the next event of the selected message's exchange (send → receipt → reply → …), wrapping. */
  jumpExchange(): void {
    const cur = this.selectedRow();
    if (cur === undefined) return;
    const ex = exchangeOf(this.store, cur);
    if (!ex || ex.rows.length < 2) {
      this.note(ex ? "no other event of this message" : "not a message with an id", true);
      return;
    }
    const k = ex.rows.indexOf(cur);
    const next = ex.rows[(k + 1) % ex.rows.length] as number;
    const pos = this.visible.lowerBound(next);
    if (pos >= this.visible.length || this.visible.at(pos) !== next) {
      this.note("its next event is filtered out", true);
      return;
    }
    this.moveTo(pos);
  }

  // ---- movement ----------------------------------------------------------------------------

  moveTo(pos: number): void {
    const last = Math.max(0, this.visible.length - 1);
    const p = Math.max(0, Math.min(pos, last));
    if (p < this.cursor) this.follow = false;
    this.cursor = p;
  }

  private moveBy(d: number): void {
    this.moveTo(this.cursor + d);
  }

  /** Pages like less: the view and the cursor move together. */
  private scrollBy(d: number): void {
    this.top = Math.max(0, this.top + d);
    this.moveBy(d);
  }

  private note(msg: string, isError: boolean): void {
    this.message = msg;
    this.messageIsError = isError;
  }

  // ---- keys --------------------------------------------------------------------------------

  /** Handles one key press. */
  key(input: string, key: KeyLike = {}): void {
    if (this.prompt) return this.promptKey(input, key);
    if (key.ctrl && input === "c") {
      this.quit = true;
      return;
    }
    if (this.help) {
      this.help = false;
      if (input === "q") this.quit = true;
      return;
    }
    this.note("", false);
    try {
      this.normalKey(input, key);
    } catch (e) {
      this.note(e instanceof Error ? e.message : String(e), true);
    }
  }

  private normalKey(input: string, key: KeyLike): void {
    const page = Math.max(1, this.bodyHeight - 1);
    if (key.upArrow || input === "k") return this.moveBy(-1);
    if (key.downArrow || input === "j") return this.moveBy(1);
    if (key.pageUp || input === "b" || (key.ctrl && input === "b")) return this.scrollBy(-page);
    if (key.pageDown || input === " " || (key.ctrl && input === "f")) return this.scrollBy(page);
    if (key.ctrl && input === "u") return this.scrollBy(-Math.floor(page / 2));
    if (key.ctrl && input === "d") return this.scrollBy(Math.floor(page / 2));
    if (key.home || input === "g") return this.moveTo(0);
    if (key.end || input === "G") {
      this.moveTo(this.visible.length - 1);
      if (this.live) this.follow = true;
      return;
    }
    if (key.leftArrow || input === "h") {
      this.hscroll = Math.max(0, this.hscroll - 1);
      return;
    }
    if (key.rightArrow || input === "l") {
      const lay = this.layout();
      if (lay.offRight > 0) this.hscroll++;
      return;
    }
    if (key.return) {
      this.detail = !this.detail;
      return;
    }
    if (key.escape) {
      this.detail = false;
      return;
    }
    switch (input) {
      case "q":
        this.quit = true;
        return;
      case "?":
        this.help = true;
        return;
      case "F":
        this.follow = !this.follow;
        if (this.follow) this.moveTo(this.visible.length - 1);
        this.note(this.follow ? "follow on" : "follow off", false);
        return;
      case "/":
        this.prompt = { kind: "search", text: "" };
        return;
      case "n":
        return this.searchNext(1);
      case "N":
        return this.searchNext(-1);
      case "]":
        return this.jumpFlag(F.NewTerm, 1, "term change");
      case "[":
        return this.jumpFlag(F.NewTerm, -1, "term change");
      case "}":
        return this.jumpFlag(F.TestBegin, 1, "test");
      case "{":
        return this.jumpFlag(F.TestBegin, -1, "test");
      case "m":
        return this.jumpExchange();
      case "e":
        return this.jumpFlag(F.Fail, 1, "failure or violation");
      case "E":
        return this.jumpFlag(F.Fail, -1, "failure or violation");
      case "t":
      case "T":
      case "p":
      case "r":
      case "o":
      case "s": {
        const kind: PromptKind = ({ t: "term", T: "topic", p: "peer", r: "role", o: "op", s: "test" } as const)[input];
        this.prompt = { kind, text: promptInitial(kind, this.filter) };
        return;
      }
      case "c":
        this.setFilter({});
        this.search = null;
        this.note("filters cleared", false);
        return;
    }
    if (/^[0-9]$/.test(input)) return this.togglePeer(Number(input));
  }

  private promptKey(input: string, key: KeyLike): void {
    const p = this.prompt;
    if (!p) return;
    if (key.escape || (key.ctrl && input === "c")) {
      this.prompt = null;
      return;
    }
    if (key.return) {
      this.prompt = null;
      try {
        this.applyPrompt(p.kind, p.text);
        if (p.kind !== "search") this.note("", false);
      } catch (e) {
        this.note(e instanceof Error ? e.message : String(e), true);
      }
      return;
    }
    if (key.backspace || key.delete) {
      p.text = p.text.slice(0, -1);
      return;
    }
    if (key.ctrl && input === "u") {
      p.text = "";
      return;
    }
    if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return;
    // Printable input only (a paste arrives as one string).
    const clean = input.replace(/[\x00-\x1f\x7f]/g, "");
    p.text = (p.text + clean).slice(0, PROMPT_MAX);
  }

  /** The whole screen: exactly `height - 1` lines (Ink clears the terminal on full-height output). */
  frame(): string[] {
    return drawFrame(this);
  }
}
