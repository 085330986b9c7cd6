import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { guestCoreExpression, moduleAsExpression } from "@weir/function-contract/guest";
import { cacheDir, sha256 } from "./component-cache";
import { componentizeJs } from "./js-component";

let building: Promise<Uint8Array> | undefined;

/**
 * The JS guest's entry module: the guest core and its adapter (guest/wasm-guest.js) as text,
 * given the `js-guest` world's imports, exporting the world's `dispatch`. componentize-js takes
 * one module, so the two are written into it rather than imported.
 */
export function jsGuestSource(): string {
  const adapter = moduleAsExpression(
    readFileSync(new URL("../guest/wasm-guest.js", import.meta.url), "utf8"),
    "wasm-guest.js",
  );
  return `import { log } from "weir:function/log@0.1.0";
import { get } from "weir:function/state@0.1.0";
import { recordStarted } from "weir:function/guest-progress@0.1.0";

const core = ${guestCoreExpression()};
const adapter = ${adapter};
const guest = adapter.wasmGuest(core.createGuest, { log, get, recordStarted });

export function dispatch(operation, argument, bytes) {
  return guest(operation, argument, bytes.length === 0 ? undefined : bytes);
}

export function takeBytes() {
  return guest("take-bytes", "");
}
`;
}

/** The entry module written into the cache, named by its hash, for componentize-js to read. */
async function writeGuestSource(): Promise<string> {
  const source = jsGuestSource();
  const dir = join(cacheDir(), "js-guest-source");
  const file = join(dir, `${sha256(source)}.js`);
  await mkdir(dir, { recursive: true });
  const staging = `${file}.${randomUUID()}.tmp`;
  await writeFile(staging, source);
  await rename(staging, file);
  return file;
}

/**
 * The JS guest component (the guest core in the `js-guest` world, StarlingMonkey without stdio,
 * clocks, randomness or network), componentized once per machine and cached (see
 * componentizeJs), not per function or per restart.
 */
export function jsGuestComponent(): Promise<Uint8Array> {
  building ??= writeGuestSource()
    .then((sourcePath) => componentizeJs({ sourcePath, world: "js-guest" }))
    .catch((error: unknown) => {
      building = undefined;
      throw error;
    });
  return building;
}
