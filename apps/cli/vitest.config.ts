import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One embedded Postgres for the run (or DATABASE_URL if set); each test file makes its own
    // database in it (@weir/testkit/test-database).
    globalSetup: ["@weir/testkit/postgres-setup"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
