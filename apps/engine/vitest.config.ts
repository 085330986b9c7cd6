import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Kafka starts once per run too (or KAFKA_BROKERS points at a running broker).
    globalSetup: ["@weir/testkit/postgres-setup", "@weir/testkit/kafka-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that create runtimes in-process need what the engine process gets: isolated-vm
    // requires --no-node-snapshot.
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
  },
});
