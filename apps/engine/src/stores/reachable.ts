import type { Db } from "@weir/db";

/**
 * Whether the database answers at all: after a failed batch, tells a record the database refuses
 * (write the rest one by one, to isolate it) from the database being away (keep everything for
 * the next flush; one try per record would only fail once per record).
 */
export function databaseReachable(db: Db): Promise<boolean> {
  return db.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
}
