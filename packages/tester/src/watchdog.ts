// A watchdog for `raftlab run --timeout`: the run's own wall-clock limit acts between simulated events,
// but a Raft that blocks the thread inside one event (a busy loop) never gives it the chance. This
// thread is not blocked by that: when the grace period after the limit runs out too, it prints one
// line and kills the process, so a replay command can never hang forever.

import { Worker } from "node:worker_threads";

const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
let timer = null;
parentPort.on("message", (m) => {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (m.type === "arm") {
    timer = setTimeout(() => {
      try { writeSync(2, m.message + "\\n"); } catch {}
      process.kill(process.pid, "SIGKILL");
    }, m.ms);
  } else if (m.type === "close") {
    parentPort.close();
  }
});
`;

export class Watchdog {
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(SOURCE, { eval: true });
    this.worker.unref(); // never keeps the process alive by itself
  }

  /** Kills the process with `message` on stderr unless disarmed within `ms`. */
  arm(ms: number, message: string): void {
    this.worker.postMessage({ type: "arm", ms, message });
  }

  disarm(): void {
    this.worker.postMessage({ type: "disarm" });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
