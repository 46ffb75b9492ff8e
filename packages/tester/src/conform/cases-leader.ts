// Candidates and leaders (Figure 2, "Rules for Servers") meeting a higher term.
import type { ConformCase } from "./case.js";

export const LEADER_CASES: readonly ConformCase[] = [];
