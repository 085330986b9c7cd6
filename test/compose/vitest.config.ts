import { defineConfig } from "vitest/config";

// The self-hosting test: builds the images and brings docker-compose.yml up for real. Run by
// `npm test` when WEIR_COMPOSE_TEST=1 (.ci/run sets it after installing Docker).
export default defineConfig({
  test: {
    include: ["test/compose/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
  },
});
