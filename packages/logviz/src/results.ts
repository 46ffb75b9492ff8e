// The lab's result lines (`Test (3A): ...`, `  ... Passed --  ...`, `N passed, N failed`) travel in a
// piped trace as harness `Output` events (raftlab run --trace puts them there, since its stderr would
// only flash behind the viewer). The viewer collects them as rows arrive and prints them again when it
// exits, so the results of a run watched in logviz stay in the terminal afterwards.
import { HARNESS_SRC, Kind, type LogStore } from "./store.js";

/** Result lines kept for the exit (a whole-suite run has about 60; a stream of them is cut here). */
const MAX_RESULT_LINES = 2000;

export class ResultLines {
  private readonly kept: string[] = [];
  private more = 0;
  /** Rows examined so far, counted from the first row ever stored (dropped rows included). */
  private seen = 0;

  /** Examines the rows added since the last call. */
  scan(store: LogStore): void {
    const op = store.ops.lookup("Output");
    const end = store.dropped + store.length;
    if (op !== undefined) {
      for (let r = Math.max(0, this.seen - store.dropped); r < store.length; r++) {
        if (store.op[r] !== op || store.src[r] !== HARNESS_SRC || store.kind[r] !== Kind.Json) continue;
        if (this.kept.length < MAX_RESULT_LINES) this.kept.push(store.textAt(r));
        else this.more++;
      }
    }
    this.seen = end;
  }

  /** The lines to print on exit (already escaped by the parser), with a count of any left out. */
  lines(): string[] {
    return this.more > 0 ? [...this.kept, `(${this.more} more result lines not shown)`] : [...this.kept];
  }
}
