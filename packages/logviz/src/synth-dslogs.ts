// A generator of dslogs-format text logs as Go 6.5840 students print them (`<time> <TOPIC> S<n> <text>`,
// time in 0.1 ms units), for the print-mode benchmark and tests. It mixes the two common styles that
// issue 9 describes, explicit `Role@T<n>` after the peer and the arrow style with `PL(I<i>, T<t>)`,
// with the Go tester's own lines (`=== RUN`, `Test (3A): …`, `  ... Passed --`, `--- PASS`).
// Deterministic for a given seed.

export interface DslogSynthOptions {
  readonly lines: number;
  readonly peers?: number;
  readonly seed?: number;
  /** The styles the tests take in turn (default explicit, arrow). "plain": no role or arrow markers,
   * the term only where the text says it (`calling election T3`, `Got AE reply`). */
  readonly styles?: readonly DslogStyle[];
}

export type DslogStyle = "explicit" | "arrow" | "plain";

const TESTS = [
  ["TestInitialElection3A", "3A", "initial election"],
  ["TestReElection3A", "3A", "election after network failure"],
  ["TestBasicAgree3B", "3B", "basic agreement"],
  ["TestFailAgree3B", "3B", "agreement after follower reconnects"],
  ["TestFigure8Unreliable3C", "3C", "Figure 8 (unreliable)"],
] as const;

/** Yields lines (no newline). */
export function* synthDslogs(opts: DslogSynthOptions): Generator<string> {
  const n = opts.peers ?? 5;
  let seed = (opts.seed ?? 1) >>> 0 || 1;
  const rand = (k: number): number => {
    // xorshift32: small, fast, deterministic.
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed % k;
  };
  const pad = (t: number): string => String(t).padStart(6, "0");
  let emitted = 0;
  let testNo = 0;
  // The Debug clock starts at the process's init(), so it only grows across tests.
  let t = rand(1000);
  const perTest = Math.max(200, Math.floor(opts.lines / TESTS.length));
  while (emitted < opts.lines) {
    const [name, part, title] = TESTS[testNo % TESTS.length] as (typeof TESTS)[number];
    testNo++;
    const lines: string[] = [];
    lines.push(`=== RUN   ${name}`);
    lines.push(`Test (${part}): ${title} ...`);
    let term = 0;
    let leader = -1;
    const commit = new Array<number>(n).fill(0);
    const budget = Math.min(perTest, opts.lines - emitted - 4);
    const styles = opts.styles ?? ["explicit", "arrow"];
    const style = styles[(testNo - 1) % styles.length] ?? "explicit";
    const explicitStyle = style === "explicit";
    if (style === "plain") {
      plainTest(lines, budget, n, rand, () => (t += 1 + rand(40)), pad);
      t += 50;
    }
    while (style !== "plain" && lines.length < budget) {
      t += 1 + rand(40);
      const roll = rand(100);
      if (leader < 0 || roll < 2) {
        // An election: a timeout, a candidate, votes, a leader.
        term++;
        const c = rand(n);
        if (explicitStyle) {
          lines.push(`${pad(t)} TIMR S${c} Follower@T${term - 1}: election timeout, becoming candidate`);
          lines.push(`${pad(t)} TERM S${c} Candidate@T${term}: starting election, term ${term}`);
          for (let p = 0; p < n; p++) {
            if (p === c) continue;
            lines.push(`${pad(t)} VOTE S${c} Candidate@T${term}: -> S${p} RequestVote last log (I${commit[c]}, T${Math.max(0, term - 1)})`);
            lines.push(`${pad(t + 3)} VOTE S${p} Follower@T${term}: granting vote to S${c} Candidate@T${term}`);
            lines.push(`${pad(t + 3)} TIMR S${p} Follower@T${term}: reset election timer after vote for S${c} Candidate@T${term}`);
          }
          lines.push(`${pad(t + 5)} LEAD S${c} Leader@T${term}: achieved majority (${n - 1} votes), converting to Leader`);
        } else {
          lines.push(`${pad(t)} TIMR S${c} election timeout, starting election for T${term}`);
          for (let p = 0; p < n; p++) {
            if (p === c) continue;
            lines.push(`${pad(t)} VOTE S${c} -> S${p} RequestVote T${term} LLI ${commit[c]} LLT ${Math.max(0, term - 1)}`);
            lines.push(`${pad(t + 3)} VOTE S${p} <- S${c} granting vote (T${term})`);
          }
          lines.push(`${pad(t + 5)} LEAD S${c} Achieved Majority for T${term} (${n - 1}), converting to Leader`);
        }
        leader = c;
        continue;
      }
      if (roll < 70) {
        // Heartbeats / appends from the leader to one follower, and the reply.
        const p = (leader + 1 + rand(n - 1)) % n;
        const pli = commit[p] as number;
        if (explicitStyle) {
          lines.push(`${pad(t)} LOG1 S${leader} Leader@T${term}: -> S${p} AppendEntries PLI=${pli} PLT=${term} entries=${rand(3)}`);
          lines.push(`${pad(t + 2)} LOG1 S${p} Follower@T${term}: <- S${leader} AppendEntries ok, log len ${pli + 1}`);
        } else {
          lines.push(`${pad(t)} LEAD S${leader} -> S${p} heartbeat, PL(I${pli}, T${Math.max(0, term - 1)}), ${rand(3)}`);
          lines.push(`${pad(t + 2)} LOG2 S${p} <- S${leader} append ok, len ${pli + 1}`);
        }
        continue;
      }
      if (roll < 85) {
        const p = rand(n);
        commit[p] = (commit[p] as number) + 1;
        lines.push(explicitStyle ? `${pad(t)} CMIT S${p} ${p === leader ? "Leader" : "Follower"}@T${term}: commit index ${commit[p]}, applying` : `${pad(t)} CMIT S${p} committed through ${commit[p]} in T${term}`);
        continue;
      }
      if (roll < 95) {
        const p = rand(n);
        lines.push(explicitStyle ? `${pad(t)} PERS S${p} ${p === leader ? "Leader" : "Follower"}@T${term}: persist term=${term} votedFor=${leader} log=${commit[p]}` : `${pad(t)} PERS S${p} saved state T${term} vote S${leader} log ${commit[p]}`);
        continue;
      }
      // Test harness output interleaved with the log (the tester's own lines).
      lines.push(`${pad(t)} TEST checking one leader in term ${term}`);
    }
    const secs = (2 + rand(300) / 100).toFixed(1);
    lines.push(`  ... Passed --   ${secs}  ${n} ${40 + rand(100)}    0`);
    lines.push(`--- PASS: ${name} (${secs}s)`);
    for (const l of lines) {
      if (emitted >= opts.lines) return;
      yield l;
      emitted++;
    }
  }
}

/** A test's lines in the plain style (test/corpus/plain.log): topics and peers, terms only in some
 * messages' own words, PLI/PLT in the append lines. */
function plainTest(lines: string[], budget: number, n: number, rand: (k: number) => number, tick: () => number, pad: (t: number) => string): void {
  let term = 0;
  let leader = -1;
  let index = 0;
  while (lines.length < budget) {
    const t = tick();
    const roll = rand(100);
    if (leader < 0 || roll < 2) {
      term++;
      const c = rand(n);
      lines.push(`${pad(t)} TIMR S${c} Election timeout, starting election`);
      lines.push(`${pad(t)} TERM S${c} Converting to Candidate, calling election T${term}`);
      for (let p = 0; p < n; p++) {
        if (p === c) continue;
        lines.push(`${pad(t + 1)} VOTE S${c} -> S${p} Sending request vote T${term}`);
        lines.push(`${pad(t + 4)} TERM S${p} Term is higher, updating term to T${term}, setting state to follower`);
        lines.push(`${pad(t + 5)} VOTE S${p} Granting Vote to S${c} at T${term}`);
        lines.push(`${pad(t + 9)} VOTE S${c} <- S${p} Got vote`);
      }
      lines.push(`${pad(t + 10)} LEAD S${c} Achieved Majority for T${term} (${n - 1}), converting to Leader`);
      leader = c;
      continue;
    }
    if (roll < 75) {
      const p = (leader + 1 + rand(n - 1)) % n;
      lines.push(`${pad(t)} LOG1 S${leader} -> S${p} Sending PLI: ${index} PLT: ${term} N: ${rand(3)} LC: ${index} - []`);
      lines.push(`${pad(t + 3)} LOG2 S${p} <- S${leader} Received AE, PLI: ${index} PLT: ${term} N: 0 LC: ${index}, reply ok`);
      lines.push(`${pad(t + 5)} LOG1 S${leader} <- S${p} Got AE reply, success`);
      continue;
    }
    if (roll < 90) {
      index++;
      lines.push(`${pad(t)} CLNT S${leader} Received log: {${100 + index}} at index ${index}, term ${term}`);
      continue;
    }
    lines.push(`${pad(t)} TEST checking agreement of index ${index}`);
  }
}

/** The whole log as one string (tests). */
export function synthDslogsText(opts: DslogSynthOptions): string {
  let s = "";
  for (const l of synthDslogs(opts)) s += l + "\n";
  return s;
}
