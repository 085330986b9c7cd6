import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@weir/testkit/postgres-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that create runtimes in-process need what the engine process gets: isolated-vm
    // requires --no-node-snapshot on Node 20+.
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
  },
});
