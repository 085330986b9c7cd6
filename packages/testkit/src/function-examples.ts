// The example functions in examples/functions/<language>, built into Weir components by their
// own build scripts, for tests that run them. A build takes from seconds (Go) to half a minute
// (Python), so each one is kept under .weir/examples/, named by a hash of everything it is built
// from: a rerun with nothing changed reads the file, and any edit rebuilds.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rename } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const exampleLanguages = ["js", "python", "go"] as const;
export type ExampleLanguage = (typeof exampleLanguages)[number];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const cacheDir = path.join(root, ".weir/examples");

export interface BuiltExample {
  bytes: Uint8Array;
  file: string;
  /** False when this call ran the build, true when it read an earlier build. */
  cached: boolean;
}

/** The example's component, built now unless a build of the same sources is cached. */
export async function exampleComponent(language: ExampleLanguage): Promise<BuiltExample> {
  const dir = path.join(root, "examples/functions", language);
  const hash = await sourceHash(dir);
  const file = path.join(cacheDir, `${language}-${hash.slice(0, 16)}.wasm`);
  if (existsSync(file)) return { bytes: await readFile(file), file, cached: true };
  await mkdir(cacheDir, { recursive: true });
  // Built beside its final name and renamed, so a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.partial`;
  try {
    await promisify(execFile)(process.execPath, [path.join(dir, "build.mjs"), partial], {
      cwd: root,
      maxBuffer: 16 << 20,
      timeout: 10 * 60_000,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`building examples/functions/${language} failed:\n${stderr ?? String(error)}`);
  }
  await rename(partial, file);
  return { bytes: await readFile(file), file, cached: false };
}

/** A hash of the example's files (its dist/ aside), the Weir WIT and the npm lock file (jco, componentize-js). */
async function sourceHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const files = [...(await listFiles(dir)), path.join(root, "wit/weir-function.wit")].sort();
  for (const file of files) {
    hash
      .update(path.relative(root, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  for (const lock of ["package-lock.json"]) hash.update(await readFile(path.join(root, lock)));
  return hash.digest("hex");
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== "dist" && entry.name !== "__pycache__")
      .map((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? listFiles(full) : Promise.resolve([full]);
      }),
  );
  return nested.flat();
}
