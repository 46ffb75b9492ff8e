// Issue 11 §5: the lab's "Log size too large" check depends on the encoding. Our layout is about 8 bytes
// per entry against about 20 for Go's gob, so a Raft that compacts lazily passed all of 3D here and
// failed TestSnapshotBasic3D in Go. The check now measures our layout's state as gob would encode it
// (harness/gob-size.ts). This file checks that model against Go's encoding/gob itself (when `go` is
// installed, as in CI; the figures recorded from it otherwise), and shows that lazy compaction fails.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { MakeRaft, PersistedState, Value } from "@raftlab/raft";
import { describe, expect, it } from "vitest";
import { gobEquivalentSize } from "../src/harness/gob-size.js";
import { runTest } from "../src/runner.js";
import { buildVariant } from "./fixtures/mutants/build.mjs";

const GO_PROGRAM = `package main

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

type LogEntry struct {
	Term    int
	Command interface{}
}

func size(n int, cmd func(i int) interface{}) int {
	w := new(bytes.Buffer)
	e := gob.NewEncoder(w)
	log := []LogEntry{}
	for i := 0; i < n; i++ {
		log = append(log, LogEntry{Term: 3, Command: cmd(i)})
	}
	e.Encode(5)
	e.Encode(-1)
	e.Encode(120)
	e.Encode(3)
	e.Encode(log)
	return w.Len()
}

func main() {
	for _, n := range []int{0, 1, 10, 100} {
		fmt.Println(size(n, func(i int) interface{} { return 4611686018427387904 + i }), size(n, func(i int) interface{} { return i % 100 }), size(n, func(i int) interface{} { return "x1" }))
	}
}
`;

/** What Go 1.19's encoding/gob wrote for GO_PROGRAM (rows: 0, 1, 10, 100 entries). */
const RECORDED = [
  [80, 80, 80],
  [100, 92, 97],
  [281, 200, 251],
  [2081, 1318, 1782],
];

function goFigures(): { rows: number[][]; source: string } {
  const hasGo = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
  if (!hasGo) return { rows: RECORDED, source: "recorded from go1.19" };
  const dir = mkdtempSync(join(tmpdir(), "raftlab-gob-"));
  try {
    writeFileSync(join(dir, "main.go"), GO_PROGRAM);
    writeFileSync(join(dir, "go.mod"), "module gobsize\n\ngo 1.19\n");
    const out = execFileSync("go", ["run", "."], { cwd: dir, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" }, timeout: 180_000 });
    return {
      rows: out
        .trim()
        .split("\n")
        .map((l) => l.split(" ").map(Number)),
      source: "go run",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const state = (n: number, command: (i: number) => Value): PersistedState => ({
  currentTerm: 5,
  votedFor: null,
  boot: 0,
  snapshotIndex: 120,
  snapshotTerm: 3,
  snapshotLength: 0,
  snapshotCrc: 0,
  entries: Array.from({ length: n }, (_, i) => ({ term: 3, command: command(i) })),
  encoded: [],
});

describe("the lab's log size, measured as gob would (issue 11 §5)", () => {
  it("the gob model matches Go's encoding/gob within 1 byte (big ints as Go's rand.Int, small ints, strings)", () => {
    const go = goFigures();
    expect(go.rows).toHaveLength(4);
    [0, 1, 10, 100].forEach((n, row) => {
      const model = [gobEquivalentSize(state(n, (i) => 2 ** 30 + i)), gobEquivalentSize(state(n, (i) => i % 100)), gobEquivalentSize(state(n, () => "x1"))];
      model.forEach((m, k) => expect(Math.abs(m - (go.rows[row]?.[k] ?? NaN)), `${n} entries, column ${k} (${go.source})`).toBeLessThanOrEqual(1));
    });
  }, 240_000);

  it("a Raft that compacts only every 100 entries fails TestSnapshotBasic3D with 'Log size too large'; ours passes", async () => {
    const lazy = buildVariant({
      name: "lazy-compaction",
      description: "the service's Snapshot(index) is ignored until 100 entries have accumulated past the last snapshot",
      patches: [
        {
          file: "core/snapshot.ts",
          find: "  if (index <= s.log.snapshotIndex || index > s.lastApplied) {",
          replace: "  if (index <= s.log.snapshotIndex || index > s.lastApplied || index - s.log.snapshotIndex < 100) {",
        },
      ],
    });
    const make = ((await import(pathToFileURL(lazy).href)) as { make: MakeRaft }).make;
    const r = await runTest("TestSnapshotBasic3D", { seed: 1, impl: make });
    expect(r.ok).toBe(false);
    expect(r.failure?.message).toBe("Log size too large");
    expect((await runTest("TestSnapshotBasic3D", { seed: 1 })).ok).toBe(true);
  }, 120_000);
});
