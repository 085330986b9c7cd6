// Runs `prisma generate` for the repository's schema. Prisma's CLI insists on locating its
// native schema engine even though generation does not use it, and the engine cannot be
// downloaded on offline machines, so we point it at a stand-in file unless one is provided.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync("npx", ["prisma", "generate", "--config", path.join(root, "prisma.config.ts")], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
