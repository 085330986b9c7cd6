// Vitest globalSetup: one broker per test run, shared with tests through inject("kafkaBrokers").
// The augmentation below needs "vitest" in the program; a type-only import adds it and erases at runtime.
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startKafka } from "./kafka";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // An externally managed broker (e.g. `npm run kafka` in another terminal) skips the JVM start.
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    project.provide("kafkaBrokers", external);
    return undefined;
  }
  const kafka = await startKafka();
  project.provide("kafkaBrokers", kafka.brokers);
  return kafka.stop;
}
