// A private tmux server for end-to-end tests of the built binary: commands run in fresh sessions, keys
// go in with send-keys, the screen comes back with capture-pane. Waits poll the screen until what is
// expected shows up, with a generous deadline (a busy machine can take seconds to load Ink); nothing
// asserts on how long anything took.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
export const NODE = JSON.stringify(process.execPath);

/** Deadline for one wait, ms: generous, since a loaded 2-core machine takes seconds to start Node + Ink. */
export const WAIT_MS = 30_000;

/** Variables vitest sets that must not leak into a process the test starts (a nested vitest, logviz). */
const VITEST_VARS = ["VITEST", "VITEST_MODE", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST", "NODE_ENV", "NO_COLOR", "FORCE_COLOR", "CI"];
export const CLEAN_ENV = `env ${VITEST_VARS.map((v) => `-u ${v}`).join(" ")}`;

export class Tmux {
  private readonly socket: string;
  private sessionNo = 0;
  session = "";
  /** A file the session's command may send its stderr to (shown when a wait times out). */
  stderrFile = "";

  constructor(name: string) {
    this.socket = join(tmpdir(), `${name}-${process.pid}.sock`);
  }

  tmux(...args: string[]): string {
    return execFileSync("tmux", ["-S", this.socket, ...args], { encoding: "utf8" });
  }

  /** Runs `cmd` (a shell command line) in a new session of the given size; the session stays open after
   * it so the exit status can be read (`[exited N]`). */
  start(cmd: string, width = 160, height = 40): void {
    this.session = `s${++this.sessionNo}`;
    this.tmux("new-session", "-d", "-s", this.session, "-x", String(width), "-y", String(height), `${cmd}; echo "[exited $?]"; sleep 120`);
  }

  /** Starts an interactive shell with job control (for Ctrl-Z and fg). */
  startShell(width = 160, height = 40): void {
    this.session = `s${++this.sessionNo}`;
    this.tmux("new-session", "-d", "-s", this.session, "-x", String(width), "-y", String(height), "env PS1='$ ' bash --norc --noprofile -i");
  }

  screen(escapes = false): string {
    return this.tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", this.session);
  }

  keys(...k: string[]): void {
    this.tmux("send-keys", "-t", this.session, ...k);
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.tmux("send-keys", "-t", this.session, "-l", text);
  }

  alive(): boolean {
    return spawnSync("tmux", ["-S", this.socket, "has-session", "-t", this.session]).status === 0;
  }

  async waitFor(pred: (s: string) => boolean, what: string, ms = WAIT_MS): Promise<string> {
    const end = Date.now() + ms;
    let s = "";
    while (Date.now() < end) {
      s = this.alive() ? this.screen() : "";
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    const err = this.stderrFile && existsSync(this.stderrFile) ? readFileSync(this.stderrFile, "utf8") : "";
    throw new Error(`timed out waiting for ${what}; screen:\n${s}\nstderr:\n${err}`);
  }

  close(): void {
    spawnSync("tmux", ["-S", this.socket, "kill-server"]);
    rmSync(this.socket, { force: true });
  }
}

/** The status line of a logviz screen (the last non-empty line). */
export function statusOf(screen: string): string {
  return (
    screen
      .split("\n")
      .filter((l) => l.trim() !== "")
      .at(-1) ?? ""
  );
}

/** Body rows: lines that start with a time in the gutter. */
export function bodyOf(screen: string): string[] {
  return screen
    .split("\n")
    .slice(2)
    .filter((l) => /^\s+\d+\.\d s? ?/.test(l));
}
