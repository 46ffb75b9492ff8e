// The interactive filter prompts: what each asks, what it starts with, and how its text becomes a filter.
import { formatTermRange, parsePeerList, parseRoles, parseShowHide, parseTermRange, type Filter } from "./filter.js";

export type PromptKind = "search" | "term" | "topic" | "peer" | "role" | "op" | "test";

export const PROMPT_LABEL: Record<PromptKind, string> = {
  search: "/",
  term: "term (N or N..M, empty = all): ",
  topic: "topics (+A,B show only, -C hide, empty = all): ",
  peer: "peers (0,2 show only, -1 hide, empty = all): ",
  role: "roles (leader,candidate,follower, empty = all): ",
  op: "ops (+AppendEntries show only, -MsgLost hide, empty = all): ",
  test: "test name contains (empty = all): ",
};

/** Longest text a prompt accepts (bounded input). */
export const PROMPT_MAX = 200;

/** The filter after a prompt's text is accepted (throws FilterError on bad text). */
export function applyFilterPrompt(kind: Exclude<PromptKind, "search">, text: string, f: Filter): Filter {
  const s = text.trim();
  switch (kind) {
    case "term":
      return { ...f, term: s === "" ? undefined : parseTermRange(s) };
    case "topic": {
      const { show, hide } = parseShowHide(s.toUpperCase(), "topic");
      return { ...f, just: show, ignore: hide };
    }
    case "op": {
      const { show, hide } = parseShowHide(s, "op");
      return { ...f, ops: show, hideOps: hide };
    }
    case "peer": {
      if (s === "") return { ...f, peers: undefined, hidePeers: undefined };
      if (s.startsWith("-")) return { ...f, peers: undefined, hidePeers: parsePeerList(s.slice(1)) };
      return { ...f, peers: parsePeerList(s.replace(/^\+/, "")), hidePeers: undefined };
    }
    case "role":
      return { ...f, roles: s === "" ? undefined : parseRoles(s) };
    case "test":
      return { ...f, test: s === "" ? undefined : s };
  }
}

/** A prompt opens with the current value, so editing a filter is easy. */
export function promptInitial(kind: PromptKind, f: Filter): string {
  switch (kind) {
    case "term":
      return f.term ? formatTermRange(f.term) : "";
    case "topic":
      return [...(f.just ?? []).map((x) => "+" + x), ...(f.ignore?.length ? ["-" + f.ignore.join(",")] : [])].join(" ");
    case "op":
      return [...(f.ops ?? []).map((x) => "+" + x), ...(f.hideOps?.length ? ["-" + f.hideOps.join(",")] : [])].join(" ");
    case "peer":
      return f.peers?.length ? f.peers.join(",") : f.hidePeers?.length ? "-" + f.hidePeers.join(",") : "";
    case "role":
      return (f.roles ?? []).join(",");
    case "test":
      return f.test ?? "";
    case "search":
      return "";
  }
}
