// Infers a peer's own term and role from the free text of a dslogs line (`<time> <TOPIC> S<n> <text>`).
// Go students print what they like, so the text mentions many terms: the peer's own, the term of a
// message it received, the term of a previous log entry (`PL(I0, T0)`), other peers' `Role@T`. Only an
// unambiguous marker of the peer's OWN term sets it; every other row inherits the peer's last known term.
// The rules (README "dslogs text: roles and terms"):
//  - own markers: `Role@T<n>` right after `S<n>`, `T<n>`/`[T<n>]` right after `S<n>`, `(T<n>)`,
//    `term <n>`, `become … T<n>`, `at/in/for T<n>`; a user's --term-re / --role-re replace the defaults;
//  - an explicit own marker (`Role@T<n>`, `T<n>` right after `S<n>`, a user's --term-re) is the truth
//    for its own row: the row shows that term and role, whatever came before (issue 19);
//  - a row without a marker inherits the current instance's last known term (and role) in the test;
//  - a softer marker (`term 3`, `at T3`) never lowers the current instance's term;
//  - explicit terms of one peer going down mean more than one instance of it is logging (a killed
//    Raft that does not check rf.killed()): see instances.ts for how lines are told apart;
//  - a restart (`restored persistent state`, `readPersist`, `reboot`) starts a new boot, as follower;
//  - every peer starts each test as a follower with no known term; the tracker is reset at test bounds;
//  - roles come from an explicit `Role@T` first, then the usual phrases ("converting to Leader"); a
//    leader whose term rises without a role marker is no longer leader (follower).
import { RoleId } from "./store.js";
import { InstanceTracker, type Marks, type PeerInstances } from "./instances.js";
import { exponentialRisk } from "./regex-guard.js";

/** User-supplied regexes for the peer's own term and role (tried on the text after `S<n>`). */
export interface InferOptions {
  /** Group 1 (or the group named `term`) is the peer's own term. Replaces the default term markers. */
  readonly termRe?: RegExp | null;
  /** Group 1 (or the group named `role`) is the role: a word starting with l/c/f (leader, Candidate, F…).
   * Tried before the default role phrases (an explicit `Role@T` right after the peer still wins). */
  readonly roleRe?: RegExp | null;
}

export class InferOptionError extends Error {}

/** Compiles a user's regex option; a bad one is a one-line usage error. */
export function compileUserRegex(src: string, flag: string, group: "term" | "role"): RegExp {
  let re: RegExp;
  // `/.../i` gives flags (JavaScript has no inline `(?i)`).
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(src);
  try {
    re = slashed ? new RegExp(slashed[1] as string, (slashed[2] as string).replace(/g/g, "")) : new RegExp(src);
  } catch (e) {
    throw new InferOptionError(`bad ${flag} "${src}": ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, "") : String(e)}`);
  }
  const risk = exponentialRisk(re.source);
  if (risk !== null) throw new InferOptionError(`bad ${flag} "${src}": ${risk} on every line; write it without the nested repeat`);
  const groups = new RegExp(`${re.source}|`).exec("")?.length ?? 1;
  if (groups < 2)
    throw new InferOptionError(
      `bad ${flag} "${src}": it needs a capture group for the ${group}, e.g. ${group === "term" ? '"term=(\\d+)"' : '"state=(\\w+)"'}`,
    );
  return re;
}

/** The --term-re / --role-re options compiled; a bad regex throws InferOptionError (a usage error). */
export function inferOptionsOf(o: { termRe?: string; roleRe?: string }): InferOptions {
  return {
    termRe: o.termRe !== undefined ? compileUserRegex(o.termRe, "--term-re", "term") : null,
    roleRe: o.roleRe !== undefined ? compileUserRegex(o.roleRe, "--role-re", "role") : null,
  };
}

/** Largest term accepted from text (beyond it a number is not a term but noise). */
const MAX_TERM = Number.MAX_SAFE_INTEGER;

// ---- default markers, tried in order on the text after `S<n>` ----------------------------------

/** `Follower@T1`, `[Leader@T3]`, `L@T3` right after the peer: its own role and term. */
const EXPLICIT = /^\s*[:\]-]?\s*[[(]?(leader|candidate|follower|[LCF])\s*@\s*T?(\d{1,16})\b/i;
/** The own term right after the peer: `S1 T3 ...`, `S1 [T3] ...`, `S1 (T3): ...`, `S1 T:3`. */
const LEADING_TERM = /^\s*[:\]-]?\s*[[(]?T[:=]?(\d{1,16})[\])]?(?![\w@.])/;
/** `(T3)` alone in parentheses (not `PL(I0, T0)`, not `(T5 > T3)`). */
const PAREN_TERM = /\(\s*T(\d{1,16})\s*\)/;
/** `become Leader at T3`, `convert Follower, S2 (T5 > T3)`, `converting to Candidate, calling election T2`. */
const BECOME_TERM = /\b(?:becom\w*|became|convert\w*|turn\w*|step\w*\s+down|won|elected|start\w*\s+(?:an?\s+)?election|enter\w*)\b[^;|]{0,40}?\bT(\d{1,16})\b/i;
/** `term 3`, `term=3`, `currentTerm: 3` (not `lastLogTerm 3`, `args.Term 3`, `prev log term 3`). */
const WORD_TERM =
  /(?<![\w.])(?<!(?:log|prev|last|entry|args|reply|rpc|snapshot|included|x|conflict)[\s_.-]?)(?:current\s?|my\s|cur\s?|own\s)?term\s*[:=]?\s*T?(\d{1,16})\b/i;
/** `at T3`, `in T3`, `for T3` (the dslogs blog's "Achieved Majority for T1"), `to T3`. */
const PREP_TERM = /\b(?:at|in|for|to)\s+T(\d{1,16})\b/;
/** On a start-up line the bare `T<n>` is the term just restored (`readPersist T3 V1 log [...]`). */
const BARE_TERM = /\bT(\d{1,16})\b/;

/** The usual role phrases (fallback when there is no explicit `Role@T`). */
const ROLE_PHRASE =
  /\b(?:becom\w*|became|convert\w*|revert\w*|turn\w*|step\w* down|now|as|to|->|enter\w*)\s+(?:a\s+|to\s+|as\s+|the\s+|into\s+)?(leader|candidate|follower)\b/i;
const ELECTION_START = /\b(?:start\w*|call\w*|begin\w*|kick\w* off|launch\w*)\s+(?:an?\s+|new\s+)?election\b/i;
const ELECTION_WON = /\b(?:won|win\w*)\s+(?:the\s+)?election\b|\belected\b(?! for)/i;
const STEP_DOWN = /\bstep\w*\s+down\b/i;

/** A peer starting again (a restart in the tester): a new boot, as follower. Not "restart election". */
export const BOOT_MARKER =
  /\b(?:restor\w*\s+(?:\w+\s+)?(?:persist\w*|state)|read\s?persist\w*|reboot\w*|recover\w*\s+from\s+persist\w*|restart(?:ed|ing)?\b(?![\s\w]{0,16}(?:election|timer|heartbeat|ticker|vote))|starting\s+up|boot(?:ed|ing)?\b)/i;

function roleFromWord(w: string): RoleId {
  const c = w.charAt(0).toLowerCase();
  return c === "l" ? RoleId.Leader : c === "c" ? RoleId.Candidate : c === "f" ? RoleId.Follower : RoleId.None;
}

function captured(m: RegExpExecArray, name: string): string | undefined {
  return m.groups?.[name] ?? m.slice(1).find((g) => g !== undefined);
}

function toTerm(s: string | undefined): number {
  if (s === undefined || !/^\d{1,16}$/.test(s)) return -1;
  const n = Number(s);
  return n <= MAX_TERM ? n : -1;
}

/** What one line says about its own peer. */
export type { Marks } from "./instances.js";

/** Reads the own-term, role and boot markers of the text after `S<n>`. */
// Cheap literal gates in front of the marker regexes: most lines hold none of these words, and the
// regexes (case-insensitive alternations, lookbehinds) cost far more than a literal scan.
const HAS_ROLE_WORD = /eader|andidate|ollower|EADER|ANDIDATE|OLLOWER/;
const HAS_BOOT_WORD = /estor|ersist|eboot|estart|ecover|boot|tarting up|ESTOR|ERSIST|EBOOT|ESTART|ECOVER|BOOT/;
const HAS_TERM_WORD = /erm|ERM/;
const HAS_T_NUMBER = /T\d/;

export function readMarks(rest: string, o: InferOptions, out: Marks): Marks {
  out.term = -1;
  out.role = RoleId.None;
  out.explicit = false;
  out.boot = HAS_BOOT_WORD.test(rest) && BOOT_MARKER.test(rest);
  const ex = rest.indexOf("@") >= 0 ? EXPLICIT.exec(rest) : null;
  if (ex) {
    out.role = roleFromWord(ex[1] as string);
    out.term = toTerm(ex[2]);
    out.explicit = out.term >= 0;
  }
  const tNumber = HAS_T_NUMBER.test(rest);
  if (out.term < 0) {
    if (o.termRe) {
      const m = o.termRe.exec(rest);
      if (m) out.term = toTerm(captured(m, "term"));
      out.explicit = out.term >= 0;
    } else {
      if (tNumber) {
        const lead = LEADING_TERM.exec(rest);
        if (lead) out.term = toTerm(lead[1]);
        out.explicit = out.term >= 0;
        if (out.term < 0 && rest.indexOf("(") >= 0) out.term = toTerm(PAREN_TERM.exec(rest)?.[1]);
        if (out.term < 0) out.term = toTerm(BECOME_TERM.exec(rest)?.[1]);
      }
      if (out.term < 0 && HAS_TERM_WORD.test(rest)) out.term = toTerm(WORD_TERM.exec(rest)?.[1]);
      if (out.term < 0 && tNumber) out.term = toTerm(PREP_TERM.exec(rest)?.[1]);
      if (out.term < 0 && out.boot) out.term = toTerm(BARE_TERM.exec(rest)?.[1]);
    }
  }
  if (out.role === RoleId.None && o.roleRe) {
    const m = o.roleRe.exec(rest);
    if (m) out.role = roleFromWord(captured(m, "role") ?? "");
  }
  if (out.role === RoleId.None) {
    const rm = HAS_ROLE_WORD.test(rest) ? ROLE_PHRASE.exec(rest) : null;
    if (rm) out.role = roleFromWord(rm[1] as string);
    else if (rest.indexOf("lect") >= 0 || rest.indexOf("LECT") >= 0) {
      if (ELECTION_WON.test(rest)) out.role = RoleId.Leader;
      // "starting election" alone is often printed just before the peer converts; with its new term
      // ("start election (T3)") it is the candidate's own line.
      else if (out.term >= 0 && ELECTION_START.test(rest)) out.role = RoleId.Candidate;
    }
    if (out.role === RoleId.None && (rest.indexOf("own") >= 0 || rest.indexOf("OWN") >= 0) && STEP_DOWN.test(rest)) out.role = RoleId.Follower;
  }
  if (out.boot && out.role === RoleId.None) out.role = RoleId.Follower;
  return out;
}

/** What the tracker says about one row of a peer. */
export interface Inferred {
  term: number;
  role: RoleId;
  /** The instance of the peer the row came from, numbered 1, 2, ... in order of appearance within the
   * test (0: not known). */
  instance: number;
  /** The row comes from an instance other than the one the tester is running now. */
  stale: boolean;
}

/** Each peer's instances and their last known term and role within the current test. */
export class PeerTracker {
  private readonly peers = new Map<number, PeerInstances>();
  private readonly instances = new InstanceTracker();
  private readonly marks: Marks = { term: -1, role: RoleId.None, boot: false, explicit: false };
  constructor(readonly options: InferOptions = {}) {}

  /** A test boundary: peers start again as followers with no known term. The instances still running
   * are remembered as the previous test's (a killed Raft may go on logging in the next test). */
  reset(): void {
    this.instances.carryOver(this.peers);
  }

  /** Reads one line of `peer` (the text after `S<n>`); returns its term (-1 unknown) and role. */
  observe(peer: number, rest: string, out: Inferred): void {
    this.apply(peer, readMarks(rest, this.options, this.marks), out);
  }

  /** Applies the markers read from one line of `peer`; `out` gets the row's term, role and instance. */
  apply(peer: number, m: Marks, out: Inferred): void {
    let p = this.peers.get(peer);
    if (!p) {
      p = this.instances.newPeer();
      this.peers.set(peer, p);
    }
    const inst = this.instances.instanceOf(p, m);
    if (m.term >= 0 && (m.term > inst.term || inst.fresh || m.explicit)) {
      const rose = m.term > inst.term && inst.term >= 0;
      inst.term = m.term;
      inst.fresh = false;
      // A leader that learns of a higher term is no leader any more; the line may say what it is now.
      if (rose && m.role === RoleId.None && inst.role === RoleId.Leader) inst.role = RoleId.Follower;
    }
    if (m.role !== RoleId.None) inst.role = m.role;
    // An explicit marker is the row's own truth; other rows show what the instance is known to be.
    out.term = m.explicit ? m.term : inst.term;
    out.role = m.explicit && m.role !== RoleId.None ? m.role : inst.role;
    out.instance = this.instances.numberOf(p, inst);
    out.stale = inst !== p.cur;
  }

  /** How many instances of `peer` have logged in this test. */
  instanceCount(peer: number): number {
    return this.peers.get(peer)?.numbered ?? 0;
  }

  /** True once `peer` has said anything in this test. */
  knows(peer: number): boolean {
    return this.peers.get(peer)?.cur != null;
  }
}
