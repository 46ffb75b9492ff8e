// What a lab test is: its name, part, server count and a one-line description, plus its body.

import type { TestContext } from "../harness/context.js";

export type Part = "3A" | "3B" | "3C" | "3D";

export interface TestSpec {
  readonly name: string;
  readonly part: Part;
  readonly servers: number;
  readonly description: string;
}

export interface LabTest extends TestSpec {
  readonly run: (t: TestContext) => Promise<void>;
}
