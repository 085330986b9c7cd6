import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The platform test boots Postgres, the engine and the built editor: give it room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
