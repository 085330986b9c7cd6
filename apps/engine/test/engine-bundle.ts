// The engine bundled as it ships (scripts/build.mjs), for the processes startEngine spawns: the
// engine tests (engine-bundle-setup.ts) and the benchmarks measure what production runs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildEngine } from "../scripts/build.mjs";
import { ENGINE_BUNDLE_ENV } from "./engine-process";

const weirDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.weir");

/**
 * Builds the engine into apps/engine/.weir/<folder> and points startEngine (in this process and
 * the ones it forks from now on) at it.
 */
export async function useEngineBundle(folder: string): Promise<void> {
  const outdir = await buildEngine(path.join(weirDir, folder));
  process.env[ENGINE_BUNDLE_ENV] = path.join(outdir, "main.js");
}
