import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentize, version as componentizeVersion } from "@bytecodealliance/componentize-js";
import { cacheDir, sha256 } from "./component-cache";

/** The repository's WIT package (`wit/`): the Weir world and the JS guest's. */
export const WIT_DIR = fileURLToPath(new URL("../../../wit", import.meta.url));
const WIT_FILES = ["weir-function.wit", "js-guest.wit"];

export interface ComponentizeJsOptions {
  /** Path of the ES module to componentize. */
  sourcePath: string;
  /** World in `wit/` (default `function`). */
  world?: string;
  /** StarlingMonkey features to leave out (default: all of them, for a component without WASI). */
  disableFeatures?: ("stdio" | "random" | "clocks" | "http" | "fetch-event")[];
}

const ALL_FEATURES: ComponentizeJsOptions["disableFeatures"] = [
  "stdio",
  "random",
  "clocks",
  "http",
  "fetch-event",
];

/**
 * A component built from one JavaScript module by componentize-js (StarlingMonkey), kept in the
 * cache under the hash of everything that goes into it (source, WIT, componentize-js version,
 * options): the ~15-20 s build runs once per machine.
 */
export async function componentizeJs(options: ComponentizeJsOptions): Promise<Uint8Array> {
  const world = options.world ?? "function";
  const disableFeatures = options.disableFeatures ?? ALL_FEATURES;
  const inputs = [
    await readFile(options.sourcePath, "utf8"),
    world,
    componentizeVersion,
    String(disableFeatures),
  ];
  for (const file of WIT_FILES) inputs.push(await readFile(join(WIT_DIR, file), "utf8"));
  const dir = join(cacheDir(), "componentized");
  const file = join(dir, `${sha256(inputs.join("\0"))}.wasm`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // not built yet
  }
  const { component } = await componentize({
    sourcePath: options.sourcePath,
    witPath: WIT_DIR,
    worldName: world,
    disableFeatures,
  });
  await mkdir(dir, { recursive: true });
  const staging = `${file}.${randomUUID()}.tmp`;
  await writeFile(staging, component);
  await rename(staging, file);
  return component;
}
