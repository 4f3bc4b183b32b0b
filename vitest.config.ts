import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Synth and end-to-end tests start servers and write files: two cores, so keep parallelism modest.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    setupFiles: ["test/setup.ts"],
  },
});
