import { componentWit as jcoComponentWit } from "@bytecodealliance/jco";
import type { ComponentInspection, ComponentWit } from "@weir/function-contract/component-inspect";
import { inspectComponent as inspectWith } from "@weir/function-contract/component-inspect";

/** jco 1.10's typings point at a file it does not ship; the function returns the WIT text. */
const componentWit = jcoComponentWit as unknown as ComponentWit;

/** function-contract's component check, with this runtime's jco. */
export function inspectComponent(bytes: Uint8Array): Promise<ComponentInspection> {
  return inspectWith(bytes, componentWit);
}
