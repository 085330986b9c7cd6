import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@weir/testkit/postgres-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
