export { wasmRuntime } from "./runtime";
export { WEIR_WORLD } from "@weir/function-contract/component-inspect";
export { inspectComponent } from "./inspect";
export type { ComponentInspection } from "@weir/function-contract/component-inspect";
export { cacheDir, transpileCached } from "./component-cache";
export type { Transpiled } from "./component-cache";
export { jsGuestComponent } from "./guest-build";
export { componentizeJs, WIT_DIR } from "./js-component";
export type { ComponentizeJsOptions } from "./js-component";
