import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The module name the contract's declarations stand for in the editor: `import type { Handler } from "@weir/function"`. */
export const CONTRACT_MODULE = "@weir/function";

/** Path of `contract/weir-function.d.ts` (also exported as `@weir/function-contract/contract.d.ts`). */
export const contractDeclarationsPath = fileURLToPath(
  new URL("../contract/weir-function.d.ts", import.meta.url),
);

/** The function contract as TypeScript declarations, e.g. for Monaco's `addExtraLib`. */
export function contractDeclarations(): string {
  return readFileSync(contractDeclarationsPath, "utf8");
}
