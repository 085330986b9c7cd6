// `node dist/migrate.js`: applies the database migrations once and exits. The compose stack runs
// it as its `migrate` service, which the web app and the engines wait for.
import { migrate } from "@weir/db";
import { errorMessage } from "@weir/domain";
import { readEngineEnv, readLogOptions } from "./env";
import { createLogger } from "./logger";

const log = createLogger("migrate", readLogOptions());

try {
  const { applied } = await migrate(readEngineEnv().DATABASE_URL, {
    log: (message) => {
      log.info(message);
    },
  });
  log.info(applied.length > 0 ? `applied ${applied.length} migration(s)` : "the schema is up to date");
} catch (error) {
  log.error(`migration failed: ${errorMessage(error)}`);
  process.exitCode = 1;
}
