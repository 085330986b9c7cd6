// `node dist/migrate.js`: applies the database migrations once and exits. The compose stack runs
// it as its `migrate` service, which the web app and the engines wait for.
import { createDb, migrate, prepareSecretStore } from "@weir/db";
import { errorMessage } from "@weir/domain";
import { engineKeys, readEngineEnv, readLogOptions } from "./env";
import { createLogger } from "./logger";

const log = createLogger("migrate", readLogOptions());

try {
  const env = readEngineEnv();
  const { applied } = await migrate(env.DATABASE_URL, {
    log: (message) => {
      log.info(message);
    },
  });
  log.info(applied.length > 0 ? `applied ${applied.length} migration(s)` : "the schema is up to date");
  // Secrets stored before encryption are sealed here, before the web app and engines start.
  const db = createDb(env.DATABASE_URL, engineKeys(env));
  try {
    const { sealedNow } = await prepareSecretStore(db);
    if (sealedNow > 0) log.info(`encrypted ${sealedNow} secret value(s) stored before encryption`);
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  log.error(`migration failed: ${errorMessage(error)}`);
  process.exitCode = 1;
}
