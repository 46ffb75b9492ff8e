// Messages between the batch (pool.ts) and its isolated host processes (host.ts): requests on the
// host's request pipe, replies on its authenticated channel (isolation/channel.ts).

import type { RunItem } from "../runs/runlist.js";
import type { RunRequest } from "./protocol.js";
import type { SlotOptions, SlotOutcome } from "./thread-slot.js";

/** The job a host starts with: its thread slot's options. */
export type HostJob = SlotOptions;

export type HostRequest = { readonly t: "warm" } | { readonly t: "run"; readonly item: RunItem; readonly mode: RunRequest["mode"] } | { readonly t: "close" };

export type HostMessage =
  | { readonly t: "ready" }
  | { readonly t: "init-error"; readonly message: string }
  | { readonly t: "outcome"; readonly test: string; readonly seed: number; readonly outcome: SlotOutcome };
