import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 20_000,
    // The first run on a machine componentizes the JS guest (~15-30 s), in the suite's beforeAll.
    hookTimeout: 180_000,
  },
});
