import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { componentize, version as componentizeVersion } from "@bytecodealliance/componentize-js";
import { cacheDir, sha256 } from "./component-cache";

const GUEST_SOURCE = fileURLToPath(new URL("../guest/guest.js", import.meta.url));
const WIT_DIR = fileURLToPath(new URL("../../../wit", import.meta.url));
const WIT_FILES = ["weir-function.wit", "js-guest.wit"];
/** StarlingMonkey features the guest does without: no stdio, clocks, randomness or network. */
const DISABLED_FEATURES = ["stdio", "random", "clocks", "http", "fetch-event"] as const;

let building: Promise<Uint8Array> | undefined;

/**
 * The JS guest component (guest/guest.js in the `js-guest` world), componentized once with
 * componentize-js and kept in the cache under the hash of everything that goes into it, so the
 * ~15 s build happens once per machine, not per function or per restart.
 */
export function jsGuestComponent(): Promise<Uint8Array> {
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<Uint8Array> {
  const inputs = [await readFile(GUEST_SOURCE, "utf8")];
  for (const file of WIT_FILES) inputs.push(await readFile(join(WIT_DIR, file), "utf8"));
  inputs.push(componentizeVersion, DISABLED_FEATURES.join(","));
  const key = sha256(inputs.join("\0"));
  const dir = join(cacheDir(), "js-guest");
  const file = join(dir, `${key}.wasm`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // not built yet
  }
  const { component } = await componentize({
    sourcePath: GUEST_SOURCE,
    witPath: WIT_DIR,
    worldName: "js-guest",
    disableFeatures: [...DISABLED_FEATURES],
  });
  await mkdir(dir, { recursive: true });
  const staging = `${file}.${randomUUID()}.tmp`;
  await writeFile(staging, component);
  await rename(staging, file);
  return component;
}
