// Colours. One Chalk instance per output, so print mode can be plain while tests force colour.
import type { ChalkInstance } from "chalk";
import { chalkFor, type Paint } from "@raftlab/raft/terminal";

export type { Paint };

export interface Style {
  readonly color: boolean;
  topic(name: string): Paint;
  readonly dim: Paint;
  readonly bold: Paint;
  readonly cursor: Paint;
  readonly leader: Paint;
  readonly candidate: Paint;
  readonly header: Paint;
  readonly status: Paint;
  readonly error: Paint;
  readonly match: Paint;
  harness(op: string, fail: boolean): Paint;
  readonly raw: Paint;
  readonly rawFail: Paint;
  readonly testBand: Paint;
}

const id: Paint = (s) => s;

/** The style without colour: every paint is the identity. */
const PLAIN: Style = {
  color: false,
  topic: () => id,
  dim: id,
  bold: id,
  cursor: id,
  leader: id,
  candidate: id,
  header: id,
  status: id,
  error: id,
  match: id,
  harness: () => id,
  raw: id,
  rawFail: id,
  testBand: id,
};

/** A topic's paint: the known topics' colours; a custom topic gets a stable colour from its name. */
function topicPainter(c: ChalkInstance): (name: string) => Paint {
  const topics: Record<string, Paint> = {
    TIMR: c.gray,
    VOTE: c.magentaBright,
    LEAD: c.yellowBright,
    TERM: c.green,
    LOG1: c.cyan,
    LOG2: c.blueBright,
    CMIT: c.greenBright,
    APLY: c.green,
    PERS: c.white,
    SNAP: c.cyanBright,
    DROP: c.red,
    CLNT: c.whiteBright,
    TEST: c.bold.whiteBright,
    INFO: c.white,
    WARN: c.yellow,
    ERRO: c.redBright,
    TRCE: c.gray,
  };
  const palette: Paint[] = [c.cyan, c.magenta, c.blue, c.green, c.yellow, c.cyanBright, c.magentaBright];
  const topicCache = new Map<string, Paint>();
  return (name) => {
    const known = topics[name];
    if (known) return known;
    let p = topicCache.get(name);
    if (!p) {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      p = palette[h % palette.length] ?? id;
      topicCache.set(name, p);
    }
    return p;
  };
}

/** The harness events' paints (a failing event is always white on red). */
function harnessPainter(c: ChalkInstance): (op: string, fail: boolean) => Paint {
  const harness: Record<string, Paint> = {
    TestBegin: c.bold.black.bgCyan,
    TestEnd: c.bold.black.bgCyan,
    TestFail: c.bold.whiteBright.bgRed,
    Violation: c.bold.whiteBright.bgRed,
    Crash: c.bold.red,
    Restart: c.bold.green,
    Connect: c.bold.greenBright,
    Disconnect: c.bold.yellow,
    NetReliable: c.bold.blueBright,
    NetUnreliable: c.bold.magentaBright,
    LongReordering: c.bold.magenta,
    MsgLost: c.dim.red,
    Note: c.italic.white,
  };
  return (op, fail) => {
    if (fail) return c.bold.whiteBright.bgRed;
    return harness[op] ?? c.bold.white;
  };
}

export function makeStyle(color: boolean): Style {
  if (!color) return PLAIN;
  const c: ChalkInstance = chalkFor(color);
  return {
    color,
    topic: topicPainter(c),
    dim: c.dim,
    bold: c.bold,
    cursor: c.inverse,
    leader: c.bold.black.bgYellow,
    candidate: c.bold.black.bgMagenta,
    header: c.bold,
    status: c.inverse,
    error: c.bold.red,
    match: c.bold.underline,
    harness: harnessPainter(c),
    raw: id,
    rawFail: c.bold.red,
    testBand: c.bold.black.bgCyan,
  };
}
