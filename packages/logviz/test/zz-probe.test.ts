import { it } from "vitest";
import { realTrace, rpcTrace, receipts } from "./spacetime-traces.js";
it("p", async () => {
  const a = await realTrace("TestReElection3A", 3);
  const b = await rpcTrace("TestReElection3A", 3);
  console.log(
    a.events.length,
    receipts(a.events),
    b.events.length,
    receipts(b.events),
    b.events.filter((e) => e.dir).slice(0, 2),
    b.events.filter((e) => e.op === "MsgLost").length,
  );
}, 60000);
