// Lint for the three packages (issue 17, point 5). Layout and wrapping belong to prettier
// (.prettierrc.json); eslint holds the limits a formatter cannot: function length, comment and line
// length, import cycles, explicit `any`, and disable comments that no longer suppress anything.
// Not type-aware on purpose: it runs in seconds on a 2-core machine and needs no tsconfig for tests.

import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** The line-length limit; prettier's printWidth is the same number. */
const MAX_LINE = 160;
/** Product functions: a reader sees the whole story on one screen or two. */
const MAX_FUNCTION_LINES = 80;

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.stryker-tmp/**",
      "reports/**",
      "raftlab-out/**",
      "packs/**",
      // Generated from packages/raft/src/api.ts by packages/tester/scripts/gen-lab-types.mjs.
      "packages/tester/src/init/lab-types.generated.ts",
      // Go and shell fixtures are not ours to lint; hostile fixtures misbehave on purpose (and, like
      // prettier (.prettierignore), lint leaves their bytes alone).
      "packages/tester/test/stress/**/*.go",
      "packages/tester/test/fixtures/hostile/**",
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,cjs}"],
    plugins: { "import-x": importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        // Node 20 globals the code uses (no `globals` package needed for this short list).
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        clearImmediate: "readonly",
        queueMicrotask: "readonly",
        structuredClone: "readonly",
        performance: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        globalThis: "readonly",
        __dirname: "readonly",
        __filename: "readonly",
        require: "readonly",
        module: "writable",
        exports: "writable",
      },
    },
    settings: {
      // import-x reads each imported file itself to follow cycles, so it needs the TypeScript parser too.
      "import-x/extensions": [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx", ".mts", ".cts"] },
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          project: ["packages/raft/tsconfig.json", "packages/tester/tsconfig.json", "packages/logviz/tsconfig.json"],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      "max-lines-per-function": ["error", { max: MAX_FUNCTION_LINES, skipBlankLines: true, skipComments: true, IIFEs: true }],
      "max-len": [
        "error",
        {
          code: MAX_LINE,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // A project rule: no `any` in public APIs (and none elsewhere without a reason in a disable comment).
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // A describe block holds a whole scenario, so tests get a longer (still bounded) limit. Tests feed
    // and look for control characters on purpose: that is what the escaping tests are about.
    files: ["packages/*/test/**"],
    rules: {
      "max-lines-per-function": ["error", { max: 250, skipBlankLines: true, skipComments: true }],
      "no-control-regex": "off",
    },
  },
  {
    // CommonJS on purpose: these fixtures check that the tester loads a student's CommonJS Raft.
    files: ["**/*.cjs", "packages/tester/test/fixtures/cjs/**"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
