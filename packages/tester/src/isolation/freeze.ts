// Locks the JavaScript intrinsics (Object, Array, Promise, their prototypes...) before the code under
// test loads, in the child process that runs it: a Raft that patches Array.prototype.find (or any
// built-in the tester relies on) cannot change what the tester computes without its test failing.
//
// Two ways, chosen per object by what V8 makes of them:
// - FROZEN (most intrinsics; freezeOne): no property writable or configurable, not extensible. An
//   assignment throws in strict code (every ES module) and is silently ignored in sloppy CommonJS.
// - WATCHED (watchedIntrinsics): left as they are; their own property descriptors (values, getters,
//   setters, attributes, the list of keys, the prototype) are snapshotted here and compared by
//   `patchedIntrinsic()`. Redefining any property of these, even to read-only with the same value,
//   invalidates a V8 protector for the whole process (array iteration and species, Map/Set/String
//   iterators, Promise then/resolve/species, the RegExp fast path, typed-array species): for-of,
//   spread, map() and await got 2.5-6x slower in a micro-benchmark. The checks: right after the Raft's
//   module loads (a change fails the load, naming the property), every 256 simulator events
//   (runner.ts: builtinsCheckEvery) and when the test's body ends (the run fails, naming it), and
//   before each test's verdict leaves the child (the same). An added property counts as a change.
//
// The remaining hole, precisely: a WATCHED object's own property that the Raft replaces and puts back
// between two checks (inside one simulator event, within fewer than 256 events, or between the last
// check of one test and the first of the next) is not seen, and tester code that ran in between used
// the Raft's version. Objects reached from a WATCHED one (the function Array.prototype.find itself,
// say) are FROZEN and have no such hole. Closing it means freezing the WATCHED objects: +25%.
//
// Measured on Node 20.20 (the 28 lab tests at seed 1 in one process, CPU time after the lock, 7
// alternating rounds on the shared 2-core VM, load 4.6-5.2; docs/performance.md): no lock 1.78 s median;
// every property read-only (the previous version) 2.18 s, x1.225 (median of per-round ratios x1.163);
// this version 1.87 s, x1.051 (per-round x1.017); a second session after merging main: x1.053
// (per-round x1.050) against x1.189 before. The lock itself ~4 ms per process. All ten protectors
// `node --allow-natives-syntax` can query stay intact. Rejected before: Node's --frozen-intrinsics
// (1.7x; it turns prototype properties into accessors and freezes console) and SES lockdown() (~180 ms
// per process, 1.2-2x, a dependency).

/**
 * Left writable: Node and V8 set Error's while running (stack traces), and the simulator replaces
 * Math.random for each run with the run's seeded stream (sim/virtual-globals.ts). None decides a result.
 */
const WRITABLE: ReadonlyMap<object, ReadonlySet<string>> = new Map<object, ReadonlySet<string>>([
  [Error, new Set(["stackTraceLimit", "prepareStackTrace"])],
  [Math, new Set(["random"])],
]);

/** The ECMAScript globals locked, with Node's Buffer and text codecs. Not console, process,
 * performance or crypto: the simulator replaces their members during a run (sim/virtual-globals.ts). */
const ROOTS = [
  "Object",
  "Function",
  "Array",
  "Number",
  "Boolean",
  "String",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Promise",
  "Proxy",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "FinalizationRegistry",
  "RegExp",
  "Date",
  "Error",
  "EvalError",
  "RangeError",
  "ReferenceError",
  "SyntaxError",
  "TypeError",
  "URIError",
  "AggregateError",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Atomics",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Intl",
  "Buffer",
  "TextEncoder",
  "TextDecoder",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "encodeURI",
  "decodeURI",
  "escape",
  "unescape",
] as const;

const TYPED_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** Intrinsics reachable from no global by name: iterator, generator and async function prototypes. */
function hiddenIntrinsics(): unknown[] {
  async function* asyncGen(): AsyncGenerator<never> {}
  function* gen(): Generator<never> {}
  return [
    Object.getPrototypeOf(Uint8Array),
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(new Map()[Symbol.iterator]()),
    Object.getPrototypeOf(new Set()[Symbol.iterator]()),
    Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf(/x/[Symbol.matchAll]("")),
    Object.getPrototypeOf(async () => {}),
    Object.getPrototypeOf(gen),
    Object.getPrototypeOf(asyncGen),
    Object.getPrototypeOf(gen()),
    Object.getPrototypeOf(asyncGen()),
  ];
}

/** The intrinsics V8's protectors and fast-path maps watch, by name: snapshotted, never redefined. */
function watchedIntrinsics(): ReadonlyArray<readonly [string, object]> {
  const typedArray = Object.getPrototypeOf(Uint8Array) as object & { prototype: object };
  return [
    // Math.random is the run's seeded stream (WRITABLE); freezing the rest one by one made Math a
    // dictionary, and Math.floor & co. slow calls.
    ["Math", Math],
    ["Array", Array],
    ["Array.prototype", Array.prototype],
    ["%ArrayIteratorPrototype%", Object.getPrototypeOf([][Symbol.iterator]()) as object],
    // [Symbol.iterator] of every built-in iterator, inherited: V8's Map and Set iterator protectors watch it.
    ["%IteratorPrototype%", Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object],
    ["Map.prototype", Map.prototype],
    ["%MapIteratorPrototype%", Object.getPrototypeOf(new Map()[Symbol.iterator]()) as object],
    ["Set.prototype", Set.prototype],
    ["%SetIteratorPrototype%", Object.getPrototypeOf(new Set()[Symbol.iterator]()) as object],
    ["String.prototype", String.prototype],
    ["%StringIteratorPrototype%", Object.getPrototypeOf(""[Symbol.iterator]()) as object],
    ["Promise", Promise],
    ["Promise.prototype", Promise.prototype],
    ["RegExp", RegExp],
    ["RegExp.prototype", RegExp.prototype],
    ["%TypedArray%", typedArray],
    ["%TypedArray%.prototype", typedArray.prototype],
    ...TYPED_ARRAYS.map((c) => [`${c.name}`, c] as const),
    ...TYPED_ARRAYS.map((c) => [`${c.name}.prototype`, c.prototype] as const),
  ];
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** One WATCHED object as it was when locked: its keys, and each key's descriptor fields. */
interface Snapshot {
  readonly name: string;
  readonly object: object;
  readonly proto: object | null;
  readonly keys: readonly PropertyKey[];
  /** Own keys left out of `keys` (WRITABLE), to count added ones. */
  readonly exempt: number;
  /** Per key: value, get, set, writable, enumerable, configurable (undefined where absent). */
  readonly fields: readonly unknown[];
}

const FIELDS_PER_KEY = 6;
let snapshots: readonly Snapshot[] | null = null;

function fieldsOf(d: PropertyDescriptor | undefined): unknown[] {
  return d === undefined
    ? [undefined, undefined, undefined, undefined, undefined, undefined]
    : [d.value, d.get, d.set, d.writable, d.enumerable, d.configurable];
}

function keyText(key: PropertyKey): string {
  if (typeof key !== "symbol") return `.${String(key)}`;
  const d = key.description ?? "";
  return d.startsWith("Symbol.") ? `[${d}]` : `[Symbol(${d})]`;
}

/**
 * Freezes `o`. Functions and namespace objects (Math, JSON, Reflect...: no own `constructor`) in one
 * map transition (Object.freeze), which keeps them in V8's fast mode: redefining their properties one by
 * one turned Object, JSON, Number, String... into dictionaries, whose methods TurboFan no longer inlines.
 * Prototype objects one property at a time, then preventExtensions: Object.freeze on them made the
 * suite ~1.3x slower (measured, not bisected further). WRITABLE members are spared.
 */
function freezeOne(o: object): void {
  const writable = WRITABLE.get(o);
  if (writable === undefined && (typeof o === "function" || !Object.prototype.hasOwnProperty.call(o, "constructor"))) {
    Object.freeze(o);
    return;
  }
  for (const key of Reflect.ownKeys(o)) {
    if (typeof key === "string" && writable?.has(key) === true) continue;
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    if (d === undefined) continue;
    if ("value" in d) {
      if (d.writable === true || d.configurable === true) Reflect.defineProperty(o, key, { writable: false, configurable: false });
    } else if (d.configurable === true) Reflect.defineProperty(o, key, { configurable: false });
  }
  Object.preventExtensions(o);
}

/**
 * Locks the intrinsics: freezes most, snapshots the WATCHED ones (see the header). Call once, before
 * the code under test loads; a second call changes nothing (the snapshot is the first one's).
 */
export function freezeIntrinsics(): void {
  if (snapshots !== null) return;
  const watched = watchedIntrinsics();
  const watchedSet = new Set<object>(watched.map(([, o]) => o));
  const seen = new Set<object>();
  const stack: unknown[] = [...ROOTS.map((n) => (globalThis as Record<string, unknown>)[n]), ...hiddenIntrinsics()];
  while (stack.length > 0) {
    const o = stack.pop();
    if (!isObjectLike(o) || seen.has(o) || o === globalThis) continue;
    seen.add(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d === undefined) continue;
      if ("value" in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
    stack.push(Object.getPrototypeOf(o));
    if (!watchedSet.has(o)) freezeOne(o);
  }
  snapshots = watched.map(([name, object]) => {
    const all = Reflect.ownKeys(object);
    const keys = all.filter((k) => !(typeof k === "string" && WRITABLE.get(object)?.has(k) === true));
    const fields: unknown[] = [];
    for (const k of keys) fields.push(...fieldsOf(Reflect.getOwnPropertyDescriptor(object, k)));
    return { name, object, proto: Object.getPrototypeOf(object) as object | null, keys, exempt: all.length - keys.length, fields };
  });
}

/**
 * The first WATCHED intrinsic property that differs from its snapshot ("Array.prototype.find",
 * "%ArrayIteratorPrototype%.next", "Promise.prototype.then (added)"), or null: none, or not locked.
 * About 30 µs: cheap enough for every test and every 256 events.
 */
export function patchedIntrinsic(): string | null {
  if (snapshots === null) return null;
  for (const s of snapshots) {
    const { object, keys, fields } = s;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as PropertyKey;
      const d = Reflect.getOwnPropertyDescriptor(object, key);
      const base = i * FIELDS_PER_KEY;
      if (d === undefined) return `${s.name}${keyText(key)} (deleted)`;
      if (
        d.value !== fields[base] ||
        d.get !== fields[base + 1] ||
        d.set !== fields[base + 2] ||
        d.writable !== fields[base + 3] ||
        d.enumerable !== fields[base + 4] ||
        d.configurable !== fields[base + 5]
      ) {
        // NaN-valued constants (none today) would compare unequal to themselves.
        if (!(Number.isNaN(d.value) && Number.isNaN(fields[base]))) return `${s.name}${keyText(key)}`;
      }
    }
    const now = Reflect.ownKeys(object);
    if (now.length !== keys.length + s.exempt) {
      const added = now.find((k) => !keys.includes(k) && !(typeof k === "string" && WRITABLE.get(object)?.has(k) === true));
      return `${s.name}${added === undefined ? "" : keyText(added)} (added)`;
    }
    if (Object.getPrototypeOf(object) !== s.proto) return `${s.name} (its prototype)`;
  }
  return null;
}

/** The one line for a Raft that patched a built-in: "it patched Array.prototype.find (built-ins are ...)". */
export function describePatch(name: string): string {
  return `it patched ${name} (built-ins are frozen while a Raft runs)`;
}
