// Small helpers shared by the test bodies.

import type { TestContext } from "../harness/context.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** config.go randstring(n): n random URL-safe base64 characters (from the test's seeded rand). */
export function randString(t: TestContext, n: number): string {
  const out: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = ALPHABET[t.rand.int(64)] as string;
  return out.join("");
}
