import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Starts one embedded Postgres for the whole run (or uses DATABASE_URL if set), migrated.
    globalSetup: ["@weir/testkit/postgres-setup"],
    testTimeout: 60_000,
    // initdb on a cold, slow machine can take a while.
    hookTimeout: 120_000,
  },
});
