import path from "node:path";
import { fileURLToPath } from "node:url";

/** apps/web/test-artifacts: screenshots per test and the platform's log (git ignores it). */
export const ARTIFACTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../test-artifacts",
);

/** A test's name as a folder name: "creates a flow" → "creates-a-flow". */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 80) || "test"
  );
}
