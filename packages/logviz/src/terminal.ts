// The interactive viewer owns the terminal: its own keyboard stream, raw mode, the alternate screen,
// and suspend/resume. Kept apart from Ink so the first frame can be painted before Ink has loaded.
//
// Why raw mode is re-asserted: in `producer | logviz`, the producer shares the terminal. A Node
// producer saves the terminal's mode when it starts (before logviz switched to raw mode) and restores
// it when it exits, so the terminal is back in canonical mode with echo while logviz still runs: keys
// are echoed under the view and held until Enter. Nothing tells a process that someone else changed
// the terminal's mode, and libuv skips a switch to the mode it believes is already set, so logviz
// switches to normal and back to raw: when the pipe ends (the producer has exited by then), a few times
// shortly after, every POLL_MS while the pipe is open, and on SIGCONT. Each switch is two tcsetattr
// calls; a switch while nobody changed the mode changes nothing.
import { closeSync, openSync } from "node:fs";
import tty from "node:tty";

/** Re-assert raw mode this often while another process may share the terminal, ms. */
const POLL_MS = 250;
/** After the pipe ends, re-assert again after these delays (a slower producer in the same pipeline). */
const AFTER_END_MS = [50, 250, 1000, 3000] as const;

const ALT_SCREEN_ON = "\x1b[?1049h";
const ALT_SCREEN_OFF = "\x1b[?1049l";
const CURSOR_HIDE = "\x1b[?25l";
const CURSOR_SHOW = "\x1b[?25h";

/** Opens the keyboard: stdin when it is a terminal, else /dev/tty (stdin is a pipe); null if there is no
 * terminal. A separate /dev/tty file description also keeps the pipe's producer from changing our fd's
 * flags (O_NONBLOCK is shared by every process holding the same description). */
export function openKeyboard(): tty.ReadStream | null {
  if (process.stdin.isTTY) return process.stdin as tty.ReadStream;
  try {
    const fd = openSync("/dev/tty", "r");
    if (!tty.isatty(fd)) {
      closeSync(fd);
      return null;
    }
    return new tty.ReadStream(fd);
  } catch {
    return null;
  }
}

/** Switches to the alternate screen, cursor home and hidden. */
export function enterScreenText(): string {
  return ALT_SCREEN_ON + "\x1b[H" + CURSOR_HIDE;
}

/** A whole frame from the top left, each line cleared to its end; the cursor ends at the start of the
 * line below, where Ink leaves it after drawing the same lines. */
export function paintText(lines: readonly string[]): string {
  return "\x1b[H" + lines.map((l) => l + "\x1b[K").join("\r\n") + "\r\n";
}

export interface TerminalOptions {
  readonly out: tty.WriteStream;
  readonly keys: tty.ReadStream;
  /** The lines of the current screen, for a repaint without Ink (on resume). */
  readonly frame: () => readonly string[];
  /** Called after a resume has repainted the screen (Ink draws the current state). */
  readonly onResume: () => void;
}

export class Terminal {
  private raw = false;
  private onScreen = false;
  private poll: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onTstp = (): void => this.suspend(false);
  private readonly onCont = (): void => this.resume();
  private readonly onExit = (): void => this.restore();

  constructor(private readonly o: TerminalOptions) {}

  /** Raw mode, alternate screen, hidden cursor; restored on exit, SIGTSTP handled. `onScreen`: the
   * bootstrap has switched to the alternate screen and painted already (first-frame.ts); switching
   * again could clear what it painted. */
  enter(onScreen = false): void {
    this.setRaw(true);
    if (!onScreen) this.o.out.write(enterScreenText());
    this.onScreen = true;
    process.on("exit", this.onExit);
    process.on("SIGTSTP", this.onTstp);
  }

  /** Paints `lines` from the top left, leaving the cursor where Ink leaves it after drawing the same
   * lines (the start of the line below them), so Ink can take over the screen without redrawing. */
  paint(lines: readonly string[]): void {
    this.o.out.write(paintText(lines));
  }

  /** Moves the cursor home, where Ink's first frame starts. */
  home(): void {
    this.o.out.write("\x1b[H");
  }

  /** Keep re-asserting raw mode while another process shares the terminal (a pipe is open). */
  watchSharedTerminal(): void {
    if (this.poll === null) this.poll = setInterval(() => this.reassert(), POLL_MS);
  }

  /** The pipe ended: its producers have exited (and may have reset the terminal on the way out). */
  inputEnded(): void {
    if (this.poll !== null) clearInterval(this.poll);
    this.poll = null;
    this.reassert();
    for (const ms of AFTER_END_MS) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.reassert();
      }, ms);
      this.timers.add(t);
    }
  }

  /** Switches to normal and back to raw mode (see the top of this file for why). */
  reassert(): void {
    if (!this.raw) return;
    try {
      this.o.keys.setRawMode(false);
      this.o.keys.setRawMode(true);
    } catch {
      // The terminal went away (hang-up): nothing to restore.
    }
  }

  /** Ctrl-Z (a key in raw mode, so no signal) or SIGTSTP: give the terminal back and stop. `group`
   * stops the whole process group, as the terminal's own Ctrl-Z would (the producer of a pipe too). */
  suspend(group: boolean): void {
    this.restore();
    process.off("SIGTSTP", this.onTstp); // back to the default action: stop
    process.once("SIGCONT", this.onCont);
    try {
      process.kill(group ? 0 : process.pid, "SIGTSTP");
    } catch {
      process.kill(process.pid, "SIGTSTP");
    }
  }

  private resume(): void {
    process.on("SIGTSTP", this.onTstp);
    this.setRaw(true);
    this.o.out.write(ALT_SCREEN_ON + CURSOR_HIDE);
    this.onScreen = true;
    this.paint(this.o.frame());
    this.o.onResume();
  }

  /** Leaves the alternate screen and raw mode (exit, suspend, a fatal signal). */
  restore(): void {
    if (this.onScreen) this.o.out.write(ALT_SCREEN_OFF + CURSOR_SHOW);
    this.onScreen = false;
    this.setRaw(false);
  }

  /** Stops the timers and handlers (before exit). */
  close(): void {
    if (this.poll !== null) clearInterval(this.poll);
    this.poll = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.restore();
    process.off("exit", this.onExit);
    process.off("SIGTSTP", this.onTstp);
    process.off("SIGCONT", this.onCont);
  }

  private setRaw(on: boolean): void {
    this.raw = on;
    try {
      this.o.keys.setRawMode(on);
    } catch {
      // Not a terminal any more.
    }
  }
}
