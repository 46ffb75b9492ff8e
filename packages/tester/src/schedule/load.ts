// Reading a schedule file: size first, then JSON, then every field checked against the test it names,
// so a truncated, foreign, outdated or hand-broken file is one line (ScheduleError) and never a run
// that quietly does something else.

import { readFileSync, statSync } from "node:fs";
import { LONG_DELAY_MS, REORDER_MIN_MS, REORDER_SPREAD_MS, SHORT_DELAY_MS } from "../net/network.js";
import { TEST_LIMIT_MS, TESTS } from "../runner.js";
import { MAX_SCHEDULE_BYTES, SCHEDULE_FORMAT, SCHEDULE_VERSION, type NetDecision, type Schedule, type ScheduleOp, type ScriptStep } from "./format.js";

export class ScheduleError extends Error {
  override name = "ScheduleError";
}

const OPS: readonly ScheduleOp[] = ["crash", "start", "connect", "disconnect", "unreliable", "reordering"];
const NETWORK_OPS: readonly ScheduleOp[] = ["unreliable", "reordering"];
const MAX_METHOD_LENGTH = 200;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isUnit = (v: unknown): v is number => typeof v === "number" && v >= 0 && v < 1;

/** Reads and checks a schedule file. `test`, when given, must be the test the schedule was recorded for. */
export function loadSchedule(file: string, test?: string): Schedule {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new ScheduleError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size > MAX_SCHEDULE_BYTES) throw new ScheduleError(`${file} is ${size} bytes; a schedule is at most ${MAX_SCHEDULE_BYTES} bytes`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScheduleError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ScheduleError(`${file} is not complete JSON (truncated?)`);
  }
  return checkSchedule(raw, file, test);
}

/** Checks a parsed schedule; `where` names it in errors. */
export function checkSchedule(raw: unknown, where: string, test?: string): Schedule {
  const bad = (what: string): never => {
    throw new ScheduleError(`${where}: ${what}`);
  };
  if (!isObject(raw) || raw.format !== SCHEDULE_FORMAT) bad(`not a raftlab schedule (no "format": "${SCHEDULE_FORMAT}")`);
  const s = raw as Json;
  if (s.version !== SCHEDULE_VERSION) bad(`schedule version ${JSON.stringify(s.version)}; this raftlab reads version ${SCHEDULE_VERSION}`);
  if (typeof s.test !== "string") bad("no test name");
  const spec = TESTS.find((t) => t.name === s.test);
  if (spec === undefined) bad(`unknown test ${JSON.stringify(s.test)}`);
  if (test !== undefined && s.test !== test) bad(`recorded for ${String(s.test)}, not ${test}`);
  const servers = (spec as { servers: number }).servers;
  if (s.servers !== servers) bad(`${String(s.servers)} servers, but ${String(s.test)} has ${servers}`);
  if (!isInt(s.seed) || (s.seed as number) < 0) bad("the seed must be a non-negative integer");
  if (s.impl !== undefined && typeof s.impl !== "string") bad("impl must be a string");
  const peerOk = (p: unknown): boolean => isInt(p) && p >= 0 && p < servers;
  const timeOk = (t: unknown): boolean => typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= TEST_LIMIT_MS;

  if (!Array.isArray(s.script)) bad("script must be a list");
  (s.script as unknown[]).forEach((x, i) => {
    const at = `script[${i}]`;
    if (!isObject(x)) bad(`${at} is not an object`);
    const st = x as Json;
    if (!OPS.includes(st.op as ScheduleOp)) bad(`${at}: unknown op ${JSON.stringify(st.op)}`);
    if (!isInt(st.k) || (st.k as number) < 0) bad(`${at}: k must be a non-negative integer`);
    const network = NETWORK_OPS.includes(st.op as ScheduleOp);
    if (network ? st.peer !== -1 : !peerOk(st.peer)) bad(`${at}: peer ${JSON.stringify(st.peer)} is out of range (S0..S${servers - 1})`);
    if (!timeOk(st.t)) bad(`${at}: time ${JSON.stringify(st.t)} is out of range (0..${TEST_LIMIT_MS} ms)`);
    if (typeof st.fault !== "boolean") bad(`${at}: fault must be true or false`);
    if (st.skip !== undefined && typeof st.skip !== "boolean") bad(`${at}: skip must be true or false`);
  });

  if (!Array.isArray(s.net)) bad("net must be a list");
  const range = (v: unknown, lo: number, hi: number): boolean => v === undefined || (isInt(v) && v >= lo && v < hi);
  (s.net as unknown[]).forEach((x, i) => {
    const at = `net[${i}]`;
    if (!isObject(x)) bad(`${at} is not an object`);
    const m = x as Json;
    if (!peerOk(m.from) || !peerOk(m.to)) bad(`${at}: peer ${JSON.stringify(peerOk(m.from) ? m.to : m.from)} is out of range (S0..S${servers - 1})`);
    if (!isInt(m.n) || (m.n as number) < 0) bad(`${at}: n must be a non-negative integer`);
    if (typeof m.method !== "string" || m.method.length > MAX_METHOD_LENGTH) bad(`${at}: method must be a short string`);
    if (!timeOk(m.t)) bad(`${at}: time ${JSON.stringify(m.t)} is out of range (0..${TEST_LIMIT_MS} ms)`);
    if (!range(m.u, 0, LONG_DELAY_MS)) bad(`${at}: u must be 0..${LONG_DELAY_MS - 1} ms`);
    if (!range(m.d, 0, SHORT_DELAY_MS)) bad(`${at}: d must be 0..${SHORT_DELAY_MS - 1} ms`);
    if (m.h !== undefined && m.h !== 0 && !range(m.h, REORDER_MIN_MS, REORDER_MIN_MS + REORDER_SPREAD_MS))
      bad(`${at}: h must be 0 or ${REORDER_MIN_MS}..${REORDER_MIN_MS + REORDER_SPREAD_MS - 1} ms`);
    if (m.q !== undefined && typeof m.q !== "boolean") bad(`${at}: q must be true or false`);
    if (m.r !== undefined && typeof m.r !== "boolean") bad(`${at}: r must be true or false`);
  });

  if (!isObject(s.tester)) bad("tester must be an object");
  for (const [bound, values] of Object.entries(s.tester as Json)) {
    const n = Number(bound);
    const float = bound === "f";
    if (!float && !(/^\d+$/.test(bound) && Number.isSafeInteger(n) && n > 0)) bad(`tester: bad bound ${JSON.stringify(bound)}`);
    if (!Array.isArray(values) || !values.every((v) => (float ? isUnit(v) : isInt(v) && v >= 0 && v < n))) bad(`tester[${bound}]: values out of range`);
  }
  if (!Array.isArray(s.peers) || s.peers.length > servers) bad(`peers must be a list of at most ${servers} servers`);
  (s.peers as unknown[]).forEach((inc, p) => {
    if (!Array.isArray(inc) || !inc.every((draws) => Array.isArray(draws) && draws.every(isUnit))) bad(`peers[${p}]: draws must be lists of numbers in [0, 1)`);
  });
  if (!isObject(s.math)) bad("math must be an object");
  for (const [owner, values] of Object.entries(s.math as Json)) {
    const o = Number(owner);
    if (!/^-?\d+$/.test(owner) || o < -1 || o >= servers) bad(`math: owner ${JSON.stringify(owner)} is out of range`);
    if (!Array.isArray(values) || !values.every(isUnit)) bad(`math[${owner}]: draws must be numbers in [0, 1)`);
  }
  return raw as unknown as Schedule;
}

export type { NetDecision, ScriptStep };
