// The interactive viewer's state and key handling, kept apart from React so it is easy to test and
// so a frame is one function of the state: frame() returns exactly the lines to draw.
import { computeVisible, extendVisible, FilterError, peerShown, type Filter, type VisibleRows } from "./filter.js";
import { exponentialRisk } from "./regex-guard.js";
import { computeLayout, fullText, topicWidthOf, type Layout } from "./layout.js";
import { F, Kind, LogStore } from "./store.js";
import type { Style } from "./style.js";
import { escapeControls } from "./sanitize.js";
import { applyFilterPrompt, PROMPT_MAX, promptInitial, type PromptKind } from "./prompts.js";
import { drawFrame, type ScreenState } from "./screen.js";
import { exchangeOf } from "./detail.js";
import { drawSpaceTime, SpaceTimeView } from "./spacetime/draw.js";

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

/** Position of the first element >= x in an ascending array. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Viewer implements ScreenState {
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
  /** The search looks at every field of the input line (a pattern typed as `/~...`), not only what a
   * row displays. */
  searchAll = false;
  message = "";
  messageIsError = false;
  quit = false;
  /** Time of the last filter recomputation, ms (shown to the curious in the status line). */
  lastFilterMs = 0;
  /** store.dropped when `visible` was last in step with the store. */
  private seenDropped = 0;
  /** Rows (store row numbers, ascending) of `matchesOf` that match the search, for `match k of N`;
   * rows of `matchesOf` from position `matchScanned` on are not examined yet. */
  private matches: number[] = [];
  private matchesOf: VisibleRows | null = null;
  private matchScanned = 0;
  /** First line of the detail pane shown (it scrolls with J/K), and the row it was for. */
  detailTop = 0;
  private detailRow = -1;
  /** The space-time view (`v`), or null while the per-peer columns are shown. */
  spaceTime: SpaceTimeView | null = null;

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
    this.seenDropped = this.store.dropped;
    if (this.follow) this.cursor = Math.max(0, this.visible.length - 1);
  }

  // ---- data and geometry -------------------------------------------------------------------

  /** New rows arrived: extend the index; in follow mode, stay at the end. */
  onData(): void {
    if (this.store.dropped !== this.seenDropped) this.rebase();
    extendVisible(this.store, this.filter, this.visible);
    if (this.follow) this.cursor = Math.max(0, this.visible.length - 1);
  }

  /** The store dropped its oldest rows (a stream past --max-rows): shift our row numbers down to match,
   * keeping the cursor on the same row while it still exists. */
  private rebase(): void {
    const d = this.store.dropped - this.seenDropped;
    this.seenDropped = this.store.dropped;
    const v = this.visible;
    let gone = 0;
    while (gone < v.length && v.at(gone) < d) gone++;
    v.rows.copyWithin(0, gone, v.length);
    v.length -= gone;
    for (let i = 0; i < v.length; i++) v.rows[i] = (v.rows[i] as number) - d;
    v.scanned = Math.max(0, v.scanned - d);
    if (this.matchesOf === v) {
      let m = 0;
      while (m < this.matches.length && (this.matches[m] as number) < d) m++;
      this.matches = this.matches.slice(m).map((r) => r - d);
      this.matchScanned = Math.max(0, this.matchScanned - gone);
    }
    this.cursor = Math.max(0, this.cursor - gone);
    this.top = Math.max(0, this.top - gone);
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
    // Columns for the peers of the test at the cursor (a whole-suite log mixes 3- and 5-peer tests).
    const row = this.selectedRow();
    const test = row !== undefined ? (this.store.test[row] as number) : this.store.currentTest;
    const peers = this.store.peersOfTest(test).filter((p) => peerShown(this.filter, p));
    return computeLayout(this.width, peers, this.hscroll, topicWidthOf(this.store));
  }

  selectedRow(): number | undefined {
    return this.visible.length > 0 ? this.visible.at(Math.min(this.cursor, this.visible.length - 1)) : undefined;
  }

  // ---- filters -----------------------------------------------------------------------------

  setFilter(f: Filter): void {
    if (this.store.dropped !== this.seenDropped) this.rebase();
    const keep = this.selectedRow() ?? 0;
    const t0 = performance.now();
    this.filter = f;
    this.visible = computeVisible(this.store, f);
    this.seenDropped = this.store.dropped;
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
    this.matchesOf = null;
    // `~pattern`: every field of the input line; otherwise only what the rows display.
    this.searchAll = pattern.startsWith("~");
    if (this.searchAll) pattern = pattern.slice(1);
    if (pattern === "") {
      this.search = null;
      this.searchAll = false;
      return;
    }
    const risk = exponentialRisk(pattern);
    if (risk !== null) throw new FilterError(`bad pattern: ${risk}`);
    try {
      // Smart case: a pattern with no capitals matches either case.
      this.search = new RegExp(pattern, /[A-Z]/.test(pattern) ? "g" : "gi");
    } catch (e) {
      this.search = null;
      throw new FilterError(`bad pattern: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.searchNext(1, true);
  }

  /**
   * Does a row match the search? By default what the row displays: its topic, its peer (`S<n>`, the
   * column it is in) and its text as shown (a harness row's "── Crash S2"), so `/leader` does not stop
   * at every heartbeat whose role field says leader. With `searchAll` (`/~pattern`), also the whole
   * input line: a dslogs line's time, a JSON event's every field.
   */
  private rowMatches(re: RegExp, r: number): boolean {
    const store = this.store;
    const kind = store.kind[r] as Kind;
    const src = store.src[r] as number;
    re.lastIndex = 0;
    let shown: string;
    if (kind === Kind.Raw) shown = store.textAt(r);
    else if (src < 0 || ((store.flags[r] as number) & F.Full) !== 0) shown = `${store.topics.name(store.topic[r] as number)} ${fullText(store, r)}`;
    else shown = `${store.topics.name(store.topic[r] as number)} S${src} ${store.textAt(r)}`;
    if (re.test(shown)) return true;
    if (!this.searchAll || kind === Kind.Raw) return false; // a raw row's text is the whole line already
    re.lastIndex = 0;
    return re.test(escapeControls(store.jsonAt(r)));
  }

  /** Brings the list of matching rows up to date with the visible rows (new rows of a stream, a new
   * filter or search), examining only what it has not seen. */
  private updateMatches(): void {
    const re = this.search;
    if (!re) return;
    if (this.matchesOf !== this.visible) {
      this.matchesOf = this.visible;
      this.matches = [];
      this.matchScanned = 0;
    }
    const v = this.visible;
    for (let pos = this.matchScanned; pos < v.length; pos++) {
      const r = v.at(pos);
      if (this.rowMatches(re, r)) this.matches.push(r);
    }
    this.matchScanned = v.length;
  }

  /** "match k of N" when the cursor is on a match, "N matches" otherwise; "" without a search. */
  searchStatus(): string {
    if (!this.search) return "";
    this.updateMatches();
    const n = this.matches.length;
    if (n === 0) return "no match";
    const row = this.selectedRow();
    if (row !== undefined) {
      const k = lowerBound(this.matches, row);
      if (this.matches[k] === row) return `match ${k + 1} of ${n}`;
    }
    return `${n} match${n === 1 ? "" : "es"}`;
  }

  /** Moves to the next (dir 1) or previous (-1) visible match, wrapping around like less. */
  searchNext(dir: 1 | -1, includeCurrent = false): void {
    const re = this.search;
    if (!re) {
      this.note("no search: press / to search", true);
      return;
    }
    this.updateMatches();
    const m = this.matches;
    const row = this.selectedRow();
    if (m.length === 0 || row === undefined) {
      this.note(`pattern not found: ${escapeControls(re.source)}`, true);
      return;
    }
    const k = lowerBound(m, row); // first match at or after the cursor's row
    let target: number;
    let wrapped = false;
    if (dir > 0) {
      const i = includeCurrent || m[k] !== row ? k : k + 1;
      wrapped = i >= m.length;
      target = m[wrapped ? 0 : i] as number;
    } else {
      wrapped = k === 0;
      target = m[wrapped ? m.length - 1 : k - 1] as number;
    }
    this.moveTo(this.visible.lowerBound(target));
    this.note(wrapped ? (dir > 0 ? "search hit BOTTOM, continuing at TOP" : "search hit TOP, continuing at BOTTOM") : "", false);
  }

  /** Next/previous visible row at or after a flagged row (term change, test, failure); with `wrap`,
   * past the last one it continues from the other end (and says so). */
  jumpFlag(mask: number, dir: 1 | -1, what: string, wrap = false): void {
    const cur = this.selectedRow();
    if (cur === undefined) return;
    const flags = this.store.flags;
    const n = this.store.length;
    // With wrap, the scan goes round once: from the cursor to the end, then from the other end back.
    const steps = wrap ? n : dir > 0 ? n - 1 - cur : cur;
    for (let s = 1; s <= steps; s++) {
      const r = (((cur + dir * s) % n) + n) % n;
      if (((flags[r] as number) & mask) === 0) continue;
      // A flagged row that is filtered out leads to the first visible row after it.
      const pos = this.visible.lowerBound(r);
      const wrapped = dir > 0 ? r < cur : r > cur;
      if (pos >= this.visible.length || pos === this.cursor) continue;
      if (!wrapped && (dir > 0 ? pos < this.cursor : pos > this.cursor)) continue;
      this.moveTo(pos);
      if (wrapped) this.note(`${what}: wrapped to the ${dir > 0 ? "first" : "last"}`, false);
      return;
    }
    this.note(`no ${dir > 0 ? "next" : "previous"} ${what}`, true);
  }

  /** Moves to the next event of the selected message's exchange (send → receipt → reply → …), wrapping. */
  jumpExchange(): void {
    const cur = this.selectedRow();
    if (cur === undefined) return;
    const ex = exchangeOf(this.store, cur);
    if (!ex || ex.rows.length < 2) {
      this.note(ex ? (ex.why ?? "no other event of this message") : "not a message with an id", true);
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
    if (this.moveKey(input, key)) return;
    if (this.detailKey(input, key)) return;
    this.commandKey(input);
  }

  /** Cursor and scroll keys (less's and vi's); false if `input` is none of them. */
  private moveKey(input: string, key: KeyLike): boolean {
    const page = Math.max(1, this.bodyHeight - 1);
    if (key.upArrow || input === "k") this.moveBy(-1);
    else if (key.downArrow || input === "j") this.moveBy(1);
    else if (key.pageUp || input === "b" || (key.ctrl && input === "b")) this.scrollBy(-page);
    else if (key.pageDown || input === " " || (key.ctrl && input === "f")) this.scrollBy(page);
    else if (key.ctrl && input === "u") this.scrollBy(-Math.floor(page / 2));
    else if (key.ctrl && input === "d") this.scrollBy(Math.floor(page / 2));
    else if (key.home || input === "g") this.moveTo(0);
    else if (key.end || input === "G") {
      this.moveTo(this.visible.length - 1);
      if (this.live) this.follow = true;
    } else if (key.leftArrow || input === "h") this.hscroll = Math.max(0, this.hscroll - 1);
    else if (key.rightArrow || input === "l") {
      const lay = this.layout();
      if (lay.offRight > 0) this.hscroll++;
    } else return false;
    return true;
  }

  /** The detail pane: Enter toggles it, Esc closes it, J/K and >/< scroll it; false if `input` is none of them. */
  private detailKey(input: string, key: KeyLike): boolean {
    if (key.return) this.detail = !this.detail;
    else if (key.escape) this.detail = false;
    else if (this.detail && (input === "J" || input === "K")) {
      // The detail pane scrolls (a long line is read whole); j/k still move the cursor.
      this.detailTop = Math.max(0, this.detailTop + (input === "J" ? 1 : -1));
    } else if (this.detail && (input === ">" || input === "<")) {
      this.detailTop = Math.max(0, this.detailTop + (input === ">" ? 1 : -1) * Math.max(1, this.detailHeight - 2));
    } else return false;
    return true;
  }

  /** One-letter commands: quit, help, follow, search, jumps, views, filter prompts, peer toggles. */
  private commandKey(input: string): void {
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
      case "v":
        this.spaceTime = this.spaceTime ? null : new SpaceTimeView(this);
        return;
      case "e":
        return this.jumpFlag(F.Fail, 1, "failure or violation", true);
      case "E":
        return this.jumpFlag(F.Fail, -1, "failure or violation", true);
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
      case "x": {
        // Stale instances: all → hidden → only them → all.
        const stale = this.filter.stale === undefined ? "hide" : this.filter.stale === "hide" ? "only" : undefined;
        this.setFilter({ ...this.filter, stale });
        this.note(stale === "hide" ? "stale instances hidden" : stale === "only" ? "only stale instances" : "stale instances shown", false);
        return;
      }
      case "c":
        this.setFilter({});
        this.search = null;
        this.searchAll = false;
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
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point: they would corrupt the prompt line
    const clean = input.replace(/[\x00-\x1f\x7f]/g, "");
    p.text = (p.text + clean).slice(0, PROMPT_MAX);
  }

  /** The detail pane's lines for the selected row from `detailTop` (kept in range; back to the top
   * when the selection changes), how many there are in all, and the first shown. */
  detailView(lines: readonly string[], rows: number): { shown: readonly string[]; first: number; total: number } {
    const sel = this.selectedRow() ?? -1;
    if (sel !== this.detailRow) {
      this.detailRow = sel;
      this.detailTop = 0;
    }
    this.detailTop = Math.max(0, Math.min(this.detailTop, lines.length - rows));
    return { shown: lines.slice(this.detailTop, this.detailTop + rows), first: this.detailTop, total: lines.length };
  }

  /** The whole screen: exactly `height - 1` lines (Ink clears the terminal on full-height output). */
  frame(): string[] {
    return this.spaceTime && !this.help ? drawSpaceTime(this, this.spaceTime) : drawFrame(this);
  }
}
