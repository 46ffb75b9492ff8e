// The batch's journal (runs/journal.ts) lives in the output folder, which exists only once a run is
// saved there: it opens then, with every run finished so far, and from then on gets each run as it
// finishes, so a batch killed without a report still leaves its counts, passing runs included.

import { existsSync } from "node:fs";
import { saveErrorText } from "../runs/artifacts.js";
import { Journal, JOURNAL_FILE, type JournalHeader } from "../runs/journal.js";
import type { RunRecord } from "../runs/record.js";

export class BatchJournal {
  private journal: Journal | null = null;

  /**
   * `earlier` gives the runs finished before the journal opened; `onError` gets the first write
   * error (one line), after which the batch should stop.
   */
  constructor(
    private readonly outDir: string,
    private readonly header: JournalHeader,
    private readonly resuming: boolean,
    private readonly earlier: () => readonly RunRecord[],
    private readonly onError: (message: string) => void,
  ) {}

  append(record: RunRecord): void {
    try {
      if (this.journal === null) {
        if (!existsSync(this.outDir)) return;
        this.journal = Journal.open(this.outDir, this.header, this.resuming);
        for (const r of this.earlier()) if (r !== record) this.journal.append(r);
      }
      this.journal.append(record);
    } catch (e) {
      this.onError(`${JOURNAL_FILE}: ${saveErrorText(e)}`);
    }
  }

  close(): void {
    this.journal?.close();
  }
}
