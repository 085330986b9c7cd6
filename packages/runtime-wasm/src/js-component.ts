import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
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
  /**
   * A weval binary: build with StarlingMonkey's ahead-of-time mode (weval partially evaluates
   * the interpreter against the module's bytecode). Default: `WEIR_WEVAL_BIN` when set, else
   * none (plain wizer snapshot) — componentize-js would download weval from GitHub, which this
   * machine cannot reach; `cargo install weval` builds it (README, "weval").
   */
  wevalBin?: string;
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
  const wevalBin = options.wevalBin ?? (process.env.WEIR_WEVAL_BIN || undefined);
  const inputs = [
    await readFile(options.sourcePath, "utf8"),
    world,
    componentizeVersion,
    String(disableFeatures),
  ];
  if (wevalBin !== undefined && !existsSync(wevalBin)) {
    // componentize-js would fall back to downloading weval: say what is missing instead
    throw new Error(`no weval binary at ${wevalBin} (WEIR_WEVAL_BIN or the wevalBin option)`);
  }
  // An AOT build is another component: its own cache entry (a plain build keeps its old key).
  if (wevalBin !== undefined) inputs.push("aot");
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
    ...(wevalBin === undefined ? {} : { enableAot: true, wevalBin }),
  });
  await mkdir(dir, { recursive: true });
  const staging = `${file}.${randomUUID()}.tmp`;
  await writeFile(staging, component);
  await rename(staging, file);
  return component;
}
