import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Kafka starts once per run too (or KAFKA_BROKERS points at a running broker); the engine is
    // bundled once per run, and its tests start the bundle (test/engine-bundle-setup.ts).
    globalSetup: [
      "@weir/testkit/postgres-setup",
      "@weir/testkit/kafka-setup",
      "./test/engine-bundle-setup.ts",
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that create runtimes in-process need what the engine process gets: isolated-vm
    // requires --no-node-snapshot.
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
  },
});
