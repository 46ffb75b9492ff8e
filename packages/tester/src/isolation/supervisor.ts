// The parent's side of an isolated child (channel.ts): starts `node <script>` with the secret and the
// job on its request pipe, believes only its authenticated messages, and says how it ended. The parent
// never loads the code under test: the verdict, the reports and the summary line are its own.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ForgedMessageError, MessageReader, newSecret, MESSAGE_FD, REQUEST_FD } from "./channel.js";

export class ChildScriptMissingError extends Error {
  override name = "ChildScriptMissingError";
}

/**
 * The compiled child script `rel` (e.g. "run/child.js", relative to the package's src or dist): next to
 * the running code in dist, and dist's copy when the caller runs from src (vitest; `tsc -b` builds it).
 */
export function childScriptPath(rel: string): string {
  const here = fileURLToPath(new URL(`../${rel}`, import.meta.url));
  if (existsSync(here)) return here;
  const dist = fileURLToPath(new URL(`../../dist/${rel}`, import.meta.url));
  if (existsSync(dist)) return dist;
  throw new ChildScriptMissingError(`the tester's child script is missing (${here}, ${dist}); run \`pnpm build\` first`);
}

/** How a child ended, from the parent's side. */
export type ChildEnd =
  | { readonly type: "exit"; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly type: "forged"; readonly why: string }
  | { readonly type: "killed"; readonly why: string };

export interface ChildHandlers {
  /** An authenticated message of the child's tester. */
  readonly onMessage: (message: Record<string, unknown>) => void;
  /** Bytes the child wrote to its stdout or stderr: the code under test's, never the tester's. */
  readonly onOutput?: (text: string, stream: "stdout" | "stderr") => void;
  /** Once, when the child is gone (after its last message). */
  readonly onEnd: (end: ChildEnd) => void;
}

export class IsolatedChild {
  private readonly child: ChildProcess;
  private ended = false;
  private endCause: ChildEnd | null = null;
  private readonly endWaiters: Array<() => void> = [];

  /** `nodeArgs`: options for node itself, before the script (e.g. a heap limit). */
  constructor(
    script: string,
    job: object,
    private readonly handlers: ChildHandlers,
    nodeArgs: readonly string[] = [],
  ) {
    const secret = newSecret();
    const reader = new MessageReader(secret);
    this.child = spawn(process.execPath, [...nodeArgs, script], {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
      // The child's environment is the parent's; the secret is not in it.
      env: process.env,
    });
    const requests = this.child.stdio[REQUEST_FD] as NodeJS.WritableStream | null;
    const messages = this.child.stdio[MESSAGE_FD] as NodeJS.ReadableStream | null;
    requests?.on("error", () => {}); // a child that died: its end is reported by "close"
    requests?.write(secret);
    requests?.write(`${JSON.stringify(job)}\n`);
    messages?.setEncoding("utf8");
    messages?.on("data", (chunk: string) => {
      if (this.endCause !== null) return;
      let got: unknown[];
      try {
        got = reader.feed(chunk);
      } catch (e) {
        if (!(e instanceof ForgedMessageError)) throw e;
        this.stop({ type: "forged", why: e.message });
        return;
      }
      for (const m of got) {
        if (this.endCause !== null) return;
        if (typeof m === "object" && m !== null) handlers.onMessage(m as Record<string, unknown>);
      }
    });
    for (const name of ["stdout", "stderr"] as const) {
      const s = this.child[name];
      s?.setEncoding("utf8");
      s?.on("data", (text: string) => handlers.onOutput?.(text, name));
    }
    this.child.on("error", () => {}); // spawn failures end as "close" with no code
    this.child.on("close", (code, signal) => {
      if (this.ended) return;
      this.ended = true;
      handlers.onEnd(this.endCause ?? { type: "exit", code, signal });
      for (const w of this.endWaiters.splice(0)) w();
    });
  }

  /** Writes one request line to the child. */
  request(message: object): void {
    if (this.endCause !== null || this.ended) return;
    (this.child.stdio[REQUEST_FD] as NodeJS.WritableStream | null)?.write(`${JSON.stringify(message)}\n`);
  }

  /** Kills the child (SIGKILL); its end is reported with `end` as the cause. */
  stop(end: ChildEnd): void {
    if (this.endCause === null) this.endCause = end;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  /** Calls `fn` once the child is gone (at once if it is). */
  onceEnded(fn: () => void): void {
    if (this.ended) fn();
    else this.endWaiters.push(fn);
  }

  get exited(): boolean {
    return this.ended;
  }
}

/** A child's end in words: "exited with code 0", "was killed by SIGSEGV", "sent a forged message (...)". */
export function describeEnd(end: ChildEnd): string {
  if (end.type === "forged") return `sent a message that is not the tester's (${end.why}): the code under test wrote to the tester's channel`;
  if (end.type === "killed") return end.why;
  return end.signal !== null ? `was killed by ${end.signal}` : `exited with code ${end.code ?? "?"}`;
}
