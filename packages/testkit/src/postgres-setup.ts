// Vitest globalSetup: one migrated Postgres per test run, shared with tests through inject("databaseUrl").
import type { TestProject } from "vitest/node";
import { migrate } from "@weir/db/migrate";
import { startTestPostgres } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // An externally managed database (CI service, local server) is used as is, after migrating it.
  const external = process.env.DATABASE_URL;
  if (external) {
    await migrate(external);
    project.provide("databaseUrl", external);
    return undefined;
  }
  const postgres = await startTestPostgres();
  project.provide("databaseUrl", postgres.databaseUrl);
  return postgres.stop;
}
