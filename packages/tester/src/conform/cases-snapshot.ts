// InstallSnapshot receiver (Figure 13) as seen from a follower.
import type { ConformCase } from "./case.js";

export const SNAPSHOT_CASES: readonly ConformCase[] = [];
