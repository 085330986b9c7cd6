import type { Db } from "@weir/db";
import { createCaller } from "@weir/api";
import { engineTestAdmin } from "./test-principal";
import { useTestDatabase as useDatabase } from "@weir/testkit/test-database";
import { beforeAll } from "vitest";

export interface TestDatabase {
  url: string;
  db: Db;
  api: ReturnType<typeof createCaller>;
}

/** A private, migrated database for one test file, and an API caller bound to it. */
export function useTestDatabase(): TestDatabase {
  const database = useDatabase("weir_engine_test");
  const handle = {} as TestDatabase;
  beforeAll(() => {
    handle.url = database.url;
    handle.db = database.db;
    handle.api = createCaller({ db: database.db, principal: engineTestAdmin });
  });
  return handle;
}
