import { fileURLToPath } from "node:url";
import { componentizeJs } from "./js-component";

const GUEST_SOURCE = fileURLToPath(new URL("../guest/guest.js", import.meta.url));

let building: Promise<Uint8Array> | undefined;

/**
 * The JS guest component (guest/guest.js in the `js-guest` world, StarlingMonkey without stdio,
 * clocks, randomness or network), componentized once per machine and cached (see
 * componentizeJs), not per function or per restart.
 */
export function jsGuestComponent(): Promise<Uint8Array> {
  building ??= componentizeJs({ sourcePath: GUEST_SOURCE, world: "js-guest" }).catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}
