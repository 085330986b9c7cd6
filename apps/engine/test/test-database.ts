import { createDb, migrate } from "@weir/db";
import type { Db } from "@weir/db";
import { createCaller } from "@weir/api";
import { createEmptyDatabase } from "@weir/testkit";
import type {} from "@weir/testkit/postgres-setup";
import { afterAll, beforeAll, inject } from "vitest";

export interface TestDatabase {
  url: string;
  db: Db;
  api: ReturnType<typeof createCaller>;
}

/** A private, migrated database for one test file, and an API caller bound to it. */
export function useTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createEmptyDatabase(inject("databaseUrl"), "weir_engine_test");
    drop = database.drop;
    await migrate(database.databaseUrl);
    handle.url = database.databaseUrl;
    handle.db = createDb(database.databaseUrl);
    handle.api = createCaller({ db: handle.db });
  });
  afterAll(async () => {
    await handle.db.$disconnect();
    await drop?.();
  });
  return handle;
}
