// The simulator's event queue: a binary min-heap ordered by (time, tie, seq). `tie` is drawn from the
// seeded PRNG when the event is scheduled, so events due at the same virtual instant run in an order
// the seed chooses (different seeds explore different interleavings); `seq` (insertion order) makes
// the order total even if two ties collide.

export interface SimEvent {
  readonly time: number;
  readonly tie: number;
  readonly seq: number;
  /** The peer whose code the event runs (for after-event observation), or -1 for the harness. */
  readonly owner: number;
  readonly fn: () => void;
  cancelled: boolean;
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.tie !== b.tie) return a.tie < b.tie;
  return a.seq < b.seq;
}

export class EventHeap {
  private readonly items: SimEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(ev: SimEvent): void {
    const items = this.items;
    let i = items.length;
    items.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as SimEvent;
      if (!before(ev, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = ev;
  }

  pop(): SimEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(items[r] as SimEvent, items[l] as SimEvent)) c = r;
      const child = items[c] as SimEvent;
      if (!before(child, last)) break;
      items[i] = child;
      i = c;
    }
    items[i] = last;
    return top;
  }

  peek(): SimEvent | undefined {
    return this.items[0];
  }
}
