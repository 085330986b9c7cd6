import type { ComponentInspection } from "@weir/function-contract/component-inspect";
import { inspectComponent as inspectWith } from "@weir/function-contract/component-inspect";

/**
 * function-contract's component check, with this runtime's jco, loaded at the first check rather
 * than with the engine.
 */
export async function inspectComponent(bytes: Uint8Array): Promise<ComponentInspection> {
  const { componentWit } = await import("@bytecodealliance/jco");
  return inspectWith(bytes, componentWit);
}
