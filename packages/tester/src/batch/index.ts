// Public API of the batch runner: `raftlab batch`, `triage` and `merge`, and the pieces behind them.

export {
  runBatch,
  writeBatchReports,
  formatBatchSummary,
  defaultOutDir,
  defaultWorkers,
  DEFAULT_GROWTH,
  DEFAULT_TIMEOUT_SEC,
  type BatchOptions,
  type BatchOutcome,
} from "./batch.js";
export { registerBatchCommands } from "./commands.js";
export { buildRunList, shardRunList, parseShard, loopRoundIterations, type RunItem, type Shard } from "./runlist.js";
export { failureSignature, normaliseMessage } from "./signature.js";
export { groupFailures, formatTriage, type TriageGroup } from "./triage.js";
export { formatJUnit, readReport, parseReport, serialiseReport, type BatchReport } from "./report.js";
export { loadSavedResults } from "./load.js";
export { mergeReports } from "./merge.js";
export { replayCommand, type RunRecord } from "./record.js";
export { measureBatchThroughput, type ThroughputResult } from "./bench.js";
