// The architecture guard (issue 17 §3): no import cycle between files of any package, and no folder of
// the tester importing a folder above it. The layers, bottom to top, are in LAYERS; docs/architecture.md
// draws them. A regex over import/export statements is enough: every import in src is a static string.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const PACKAGES = ["raft", "tester", "logviz"];

/** Tester folders (or root files) by layer, bottom to top. A file may import its own layer or below. */
const LAYERS: readonly (readonly string[])[] = [
  ["sim"],
  ["net"],
  ["invariants"],
  ["harness"],
  // schedule/: a run's recorded decisions (session.ts sits under the runner; load/replay read the test list).
  ["tests", "runner.ts", "watchdog.ts", "cli-args.ts", "invocation.ts", "schedule", "isolation"],
  ["runs", "conform", "batch", "stress", "shrink"],
  ["cli.ts", "index.ts", "run", "init", "bench"],
];

/** Folders of one layer that must not import each other (the kinds stand on runs/, side by side). */
const SIBLINGS_APART: readonly (readonly [string, string])[] = [
  ["batch", "stress"],
  ["stress", "batch"],
  ["runs", "batch"],
  ["runs", "stress"],
  ["runs", "conform"],
];

/**
 * Cycles allowed for now: none. Listed so a cycle someone must live with for a while is named here, and
 * an entry that no longer matches a cycle fails the test, so the list only shrinks.
 */
const KNOWN_CYCLES: readonly string[] = [];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

/** Relative imports of a file, resolved to source files (`./x.js` → `x.ts` or `x.tsx`). */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec === undefined || !spec.startsWith(".")) continue;
    const base = resolve(dirname(file), spec).replace(/\.js$/, "");
    const hit = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((f) => known.has(f));
    if (hit !== undefined) out.push(hit);
  }
  return out;
}

function graphOf(pkg: string): Map<string, string[]> {
  const files = sourceFiles(join(ROOT, "packages", pkg, "src"));
  const known = new Set(files);
  return new Map(files.map((f) => [f, importsOf(f, known)]));
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const TESTER_SRC = join(ROOT, "packages/tester/src");

/** The tester unit a file belongs to: its top folder under src/, or its own name for a root file. */
function unitOf(file: string): string {
  return relative(TESTER_SRC, file).split("/")[0] ?? "";
}

function layerOf(unit: string): number {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  if (i < 0) throw new Error(`tester/src/${unit} is in no layer: add it to LAYERS (and docs/architecture.md)`);
  return i;
}

describe("architecture", () => {
  for (const pkg of PACKAGES) {
    it(`${pkg}: no import cycle between files`, () => {
      const cycles = cyclesOf(graphOf(pkg)).map((c) =>
        c
          .map((f) => relative(ROOT, f))
          .sort()
          .join(" <-> "),
      );
      const known = KNOWN_CYCLES.filter((c) => c.startsWith(`packages/${pkg}/`));
      expect(cycles.filter((c) => !known.includes(c))).toEqual([]);
      // A known cycle that is gone: take it off the list.
      expect(known.filter((c) => !cycles.includes(c))).toEqual([]);
    });
  }

  it("tester: no folder imports a folder above it, and the run kinds do not import each other", () => {
    const bad: string[] = [];
    for (const [file, imports] of graphOf("tester")) {
      const from = unitOf(file);
      for (const target of imports) {
        const to = unitOf(target);
        if (to === from) continue;
        const why = layerOf(to) > layerOf(from) ? "upward" : SIBLINGS_APART.some(([a, b]) => a === from && b === to) ? "sideways" : null;
        if (why !== null) bad.push(`${why}: ${relative(ROOT, file)} -> ${relative(ROOT, target)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("logviz reaches the Raft package only through its trace schema and terminal subpaths, never the core", () => {
    const bad: string[] = [];
    for (const file of sourceFiles(join(ROOT, "packages/logviz/src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? "";
        if (spec.startsWith("@raftlab/raft") && spec !== "@raftlab/raft/trace" && spec !== "@raftlab/raft/terminal")
          bad.push(`${relative(ROOT, file)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the guard sees a cycle when there is one", () => {
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
          ["c", ["a"]],
        ]),
      ),
    ).toHaveLength(1);
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toHaveLength(0);
  });
});
