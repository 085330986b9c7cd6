import { createDb, migrate } from "@weir/db";
import type { Db } from "@weir/db";
import { afterAll, beforeAll, inject } from "vitest";
import { createEmptyDatabase } from "./postgres";
import type {} from "./postgres-setup";
import { testInstallationKeys } from "./test-keys";

export interface TestDatabase {
  url: string;
  db: Db;
}

/**
 * A private, migrated database for one test file inside the run's Postgres (see
 * postgres-setup), so files running in parallel never see each other's rows. Call at the top of
 * a test file; the returned object is filled in before the first test runs. The client carries
 * the run's test keys (test-keys.ts), as the engines and web servers the test starts do.
 */
export function useTestDatabase(prefix: string): TestDatabase {
  const handle = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createEmptyDatabase(inject("databaseUrl"), prefix);
    drop = database.drop;
    await migrate(database.databaseUrl);
    handle.url = database.databaseUrl;
    handle.db = createDb(database.databaseUrl, testInstallationKeys());
  });
  afterAll(async () => {
    await handle.db.$disconnect();
    await drop?.();
  });
  return handle;
}
