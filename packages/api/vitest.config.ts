import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One embedded Postgres for the run (or DATABASE_URL if set), migrated; each test file then
    // makes its own database in it (test/db.ts), so files running in parallel never see each other.
    globalSetup: ["@weir/testkit/postgres-setup"],
    testTimeout: 60_000,
    // initdb on a cold, slow machine can take a while.
    hookTimeout: 120_000,
  },
});
