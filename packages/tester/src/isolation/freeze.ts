// Freezes the JavaScript intrinsics (Object, Array, Promise, their prototypes...) before the code under
// test loads, in the child process that runs it: a Raft that patches Array.prototype.find (or any
// built-in the tester relies on) cannot change what the tester computes.
//
// Measured against the alternatives on Node 20.20 (the 28 lab tests at seed 1 in one process, CPU
// time, alternating runs on a loaded 2-core VM): Node's --frozen-intrinsics made the suite 1.7x slower
// (it turns prototype properties into accessors so that sloppy assignments throw) and also freezes
// console; SES lockdown() costs ~180 ms per process, 1.2-2x on the suite, and is a dependency. This
// function (every own property non-writable and non-configurable, then preventExtensions: what
// Object.freeze does, without its slow elements transition) cost +25% CPU in the same measurement.
// Like Object.freeze and SES, an assignment to a frozen property throws in strict code (every ES
// module) and is silently ignored in sloppy CommonJS: there the patched method keeps its built-in
// behaviour.

/**
 * Left writable: Node and V8 set Error's while running (stack traces), and the simulator replaces
 * Math.random for each run with the run's seeded stream (sim/virtual-globals.ts). None decides a result.
 */
const WRITABLE: ReadonlyMap<object, ReadonlySet<string>> = new Map<object, ReadonlySet<string>>([
  [Error, new Set(["stackTraceLimit", "prepareStackTrace"])],
  [Math, new Set(["random"])],
]);

/** The ECMAScript globals frozen, with Node's Buffer and text codecs. Not console, process,
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

function isObjectLike(v: unknown): v is object {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** Freezes the intrinsics, reachable properties and prototypes included. Idempotent. */
export function freezeIntrinsics(): void {
  const seen = new Set<object>();
  const stack: unknown[] = [...ROOTS.map((n) => (globalThis as Record<string, unknown>)[n]), ...hiddenIntrinsics()];
  while (stack.length > 0) {
    const o = stack.pop();
    if (!isObjectLike(o) || seen.has(o) || o === globalThis) continue;
    seen.add(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d === undefined) continue;
      const keep = typeof key === "string" && WRITABLE.get(o)?.has(key) === true;
      if ("value" in d) {
        stack.push(d.value);
        if (!keep && (d.writable === true || d.configurable === true)) Reflect.defineProperty(o, key, { writable: false, configurable: false });
      } else {
        stack.push(d.get, d.set);
        if (!keep && d.configurable === true) Reflect.defineProperty(o, key, { configurable: false });
      }
    }
    stack.push(Object.getPrototypeOf(o));
    Object.preventExtensions(o);
  }
}
