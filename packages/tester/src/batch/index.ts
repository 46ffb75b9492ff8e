// Public API of the batch runner (`raftlab batch`, `triage`, `merge`), re-exported from
// @raftlab/tester. Names that could collide with the tester's own carry a Batch prefix.

export { writeBatchReports, formatBatchSummary } from "./output.js";
export {
  runBatch,
  defaultOutDir as defaultBatchOutDir,
  defaultWorkers as defaultBatchWorkers,
  DEFAULT_GROWTH as BATCH_DEFAULT_GROWTH,
  DEFAULT_TIMEOUT_SEC as BATCH_DEFAULT_TIMEOUT_SEC,
  type BatchOptions,
  type BatchOutcome,
} from "./batch.js";
export { registerBatchCommands } from "./commands.js";
export { buildRunList, shardRunList, parseShard, loopRoundIterations, type RunItem as BatchRunItem, type Shard as BatchShard } from "../runs/runlist.js";
export { failureSignature, normaliseMessage } from "../runs/signature.js";
export { groupFailures, formatTriage, type TriageGroup } from "../runs/triage.js";
export { formatJUnit, readReport, parseReport, serialiseReport, type BatchReport } from "../runs/report.js";
export { loadSavedResults } from "./load.js";
export { mergeReports } from "../runs/merge.js";
export { type RunRecord as BatchRunRecord } from "../runs/record.js";
export { replayCommand as batchReplayCommand } from "@raftlab/raft/terminal";
export type { ReplayCheck } from "./verify.js";
export { measureBatchThroughput, type ThroughputOptions, type ThroughputResult } from "./bench.js";
