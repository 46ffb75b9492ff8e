// Which messages cross a window of visible rows, and where each starts and ends in it: the geometry the
// terminal view (draw.ts) and the HTML page's data (html/data.ts) share. An arrow is drawn between
// visible rows only: a message whose send is filtered out is not drawn; one whose receipt is filtered
// out is not drawn either (its send row still shows the send); a lost message ends at its loss row, or
// at its send row when the loss row is filtered out.
import type { VisibleRows } from "../filter.js";
import { MessageIndex, MsgStatus, type Message } from "./messages.js";

/** A message placed on visible positions. */
export interface PlacedMessage {
  readonly k: number;
  readonly m: Message;
  /** Visible positions of the send and of the end (receipt, loss mark; the send itself for a stub). */
  readonly sendPos: number;
  readonly endPos: number;
  /** Drawn as: an arrow into `to` (delivered), a lost mark, or an unreceived stub. */
  readonly status: MsgStatus;
}

/** At most this many messages are examined for one window (bounded work per frame). */
const SCAN_MAX = 50_000;

/** Messages sorted by send row, with the running maximum of their last row, for window queries. */
export class MessageOrder {
  private order: number[] = [];
  private prefMax = new Float64Array(0);
  private built = -1;
  private builtFor: MessageIndex | null = null;

  /** Brings the order up to date with the index (rebuilt when messages were added). */
  sync(ix: MessageIndex): void {
    if (this.builtFor === ix && this.built === ix.messages.length) return;
    const msgs = ix.messages;
    const order = msgs.map((_, k) => k);
    order.sort((a, b) => (msgs[a] as Message).send - (msgs[b] as Message).send);
    const pm = new Float64Array(order.length);
    let mx = -1;
    for (let i = 0; i < order.length; i++) {
      const m = msgs[order[i] as number] as Message;
      mx = Math.max(mx, m.end >= 0 ? m.end : m.send);
      pm[i] = mx;
    }
    this.order = order;
    this.prefMax = pm;
    this.built = msgs.length;
    this.builtFor = ix;
  }

  /** Message indexes whose rows may cross store rows [lo, hi], in send order. */
  *crossing(ix: MessageIndex, lo: number, hi: number): Generator<number> {
    let a = 0;
    let b = this.prefMax.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if ((this.prefMax[mid] as number) < lo) a = mid + 1;
      else b = mid;
    }
    const msgs = ix.messages;
    for (let i = a, n = 0; i < this.order.length && n < SCAN_MAX; i++, n++) {
      const k = this.order[i] as number;
      const m = msgs[k] as Message;
      if (m.send > hi) break;
      if ((m.end >= 0 ? m.end : m.send) >= lo) yield k;
    }
  }
}

function posOf(v: VisibleRows, row: number): number {
  const p = v.lowerBound(row);
  return p < v.length && v.at(p) === row ? p : -1;
}

/** The messages drawn in visible positions [top, bottom] (inclusive). */
export function placeMessages(ix: MessageIndex, order: MessageOrder, v: VisibleRows, top: number, bottom: number): PlacedMessage[] {
  const out: PlacedMessage[] = [];
  if (v.length === 0 || top > bottom) return out;
  const lo = v.at(Math.max(0, top));
  const hi = v.at(Math.min(v.length - 1, bottom));
  order.sync(ix);
  for (const k of order.crossing(ix, lo, hi)) {
    const m = ix.messages[k] as Message;
    const sendPos = posOf(v, m.send);
    if (sendPos < 0) continue;
    let endPos = sendPos;
    const status = m.status;
    if (m.status === MsgStatus.Delivered) {
      endPos = posOf(v, m.end);
      if (endPos < 0) continue;
    } else if (m.status === MsgStatus.Lost) {
      const p = posOf(v, m.end);
      endPos = p >= 0 ? p : sendPos;
    }
    if (endPos < top || sendPos > bottom) continue;
    out.push({ k, m, sendPos, endPos, status });
  }
  return out;
}
