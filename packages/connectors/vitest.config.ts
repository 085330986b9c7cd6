import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Starts one real Kafka broker for the whole run (or uses KAFKA_BROKERS if set).
    globalSetup: ["@weir/testkit/kafka-setup"],
    testTimeout: 60_000,
    // A cold jar fetch plus the broker's JVM start can take a while on a fresh machine.
    hookTimeout: 120_000,
  },
});
