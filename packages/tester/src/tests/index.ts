// Every lab test, in the lab's order.

import { TESTS_3A } from "./3a.js";
import { TESTS_3B } from "./3b.js";
import { TESTS_3C } from "./3c.js";
import { TESTS_3D } from "./3d.js";
import type { LabTest } from "./spec.js";

export const LAB_TESTS: readonly LabTest[] = [...TESTS_3A, ...TESTS_3B, ...TESTS_3C, ...TESTS_3D];
