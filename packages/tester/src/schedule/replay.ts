// `raftlab run [TEST] --schedule FILE`: which test a schedule file replays, checked against the
// patterns given, and a fresh session per run of it.

import { matchTests, TESTS, UnknownPatternError } from "../runner.js";
import type { Schedule } from "./format.js";
import { loadSchedule, ScheduleError } from "./load.js";
import { ScheduleSession } from "./session.js";

export interface ScheduleReplay {
  readonly test: string;
  readonly seed: number;
  readonly schedule: Schedule;
  /** A session that replays the schedule (one per run). */
  session(): ScheduleSession;
}

/** Loads `file` for replay; `patterns` (possibly none) must name the schedule's test alone. Throws ScheduleError. */
export function prepareScheduleReplay(file: string, patterns: readonly string[]): ScheduleReplay {
  let wanted: string | undefined;
  if (patterns.length > 0) {
    let names: string[];
    try {
      names = matchTests(patterns).map((t) => t.name);
    } catch (e) {
      if (e instanceof UnknownPatternError) throw new ScheduleError(e.message);
      throw e;
    }
    if (names.length !== 1) throw new ScheduleError(`--schedule replays one test, but the patterns match ${names.length}`);
    wanted = names[0];
  }
  const schedule = loadSchedule(file, wanted);
  const servers = TESTS.find((t) => t.name === schedule.test)?.servers ?? 0;
  return {
    test: schedule.test,
    seed: schedule.seed,
    schedule,
    session: () => new ScheduleSession({ test: schedule.test, seed: schedule.seed, servers, replay: schedule }),
  };
}
