// Lint for the whole repo (`npm run lint`): ESLint's recommended rules for every file, typescript-eslint's
// recommended rules for TypeScript. Type checking itself is `npm run typecheck`; these rules catch what tsc does not.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** The Node globals the few plain JavaScript files use (TypeScript files get theirs from @types/node via tsc). */
const NODE_GLOBALS = {
  process: "readonly",
  console: "readonly",
  Buffer: "readonly",
  URL: "readonly",
  setTimeout: "readonly",
  clearTimeout: "readonly",
};

export default defineConfig([
  // What .gitignore keeps out of the repo is generated or installed, never written by hand: the same list, at any
  // depth as .gitignore matches it. bench/_scratch* holds throwaway benchmark experiments.
  globalIgnores([
    "**/node_modules/",
    "**/.tributary/",
    "**/.sst/",
    "**/.build/",
    "**/cdk.out/",
    "**/coverage/",
    "bench/.data/",
    "bench/_scratch*",
    "bench/_scratch*/",
    // SST compiles sst.config.ts to this bundle for a moment while it loads the app (stack tests, sst commands).
    ".sst.config.*.mjs",
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: NODE_GLOBALS },
  },

  {
    rules: {
      // Project style names a deliberately unused binding with a leading underscore: the rest-sibling omission
      // `const { _ingested_at, ...content } = row` (lineage columns start with `_`), `for (const _ of items)`
      // to count, and a port method's `_options` parameter that one adapter ignores.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },

  {
    files: ["test/**/*.ts"],
    rules: {
      // Tests walk synthesized CloudFormation templates (aws-cdk-lib's `Template` hands them out as `any`) and
      // untyped JSON answers, asserting on a few fields of each; typing every template shape would add nothing
      // the assertions do not already check. Production code keeps the rule.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
]);
