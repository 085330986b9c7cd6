// The web app's start-up check of the secret store (see instrumentation.ts).
import { prepareSecretStore } from "@weir/db";
import { databaseConfigured, isBuildPhase } from "~/env";
import { getDb } from "./db";

export async function checkSecretStore(): Promise<void> {
  // `next build` has no database; without DATABASE_URL every request says so (env.ts).
  if (isBuildPhase() || !databaseConfigured()) return;
  try {
    const { sealedNow, plain } = await prepareSecretStore(getDb());
    if (sealedNow > 0)
      console.log(`weir web: encrypted ${sealedNow} secret value(s) stored before encryption`);
    if (plain > 0)
      console.warn(`weir web: ${plain} secret value(s) are stored unencrypted: set WEIR_SECRET_KEY`);
  } catch (error) {
    console.error(`weir web: refusing to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
