// The batch's isolated host process (node batch/host.js, started by pool.ts): a thread slot
// (thread-slot.ts) whose worker thread loads the Raft under test and runs one (test, seed) at a time.
// The host's own thread never runs that code; it passes each outcome to the batch over the
// authenticated channel. If the code under test ends the process (process.reallyExit), the batch sees
// the host die before its outcome and fails that run.

import { Socket } from "node:net";
import { openChildChannel, REQUEST_FD } from "../isolation/channel.js";
import type { HostJob, HostMessage, HostRequest } from "./host-protocol.js";
import { ThreadSlot } from "./thread-slot.js";

const { job, send: sendRaw } = openChildChannel<HostJob>();
const send = (m: HostMessage): void => sendRaw(m);
const slot = new ThreadSlot(job);

/** Requests are handled one after another, in order. */
let queue: Promise<void> = Promise.resolve();
const handle = async (req: HostRequest): Promise<void> => {
  if (req.t === "warm") {
    try {
      await slot.warmUp();
      send({ t: "ready" });
    } catch (e) {
      send({ t: "init-error", message: e instanceof Error ? e.message : String(e) });
    }
  } else if (req.t === "run") {
    const outcome = await slot.execute(req.item, req.mode);
    send({ t: "outcome", test: req.item.test, seed: req.item.seed, outcome });
  } else {
    await slot.close();
    process.exit(0);
  }
};

const requests = new Socket({ fd: REQUEST_FD, readable: true, writable: false });
requests.setEncoding("utf8");
let buf = "";
requests.on("data", (chunk: string) => {
  buf += chunk;
  for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
    const req = JSON.parse(buf.slice(0, nl)) as HostRequest;
    buf = buf.slice(nl + 1);
    queue = queue.then(() => handle(req));
  }
});
// The batch went away: nothing more to do.
requests.on("end", () => {
  void slot.close().then(() => process.exit(0));
});
