export { wasmRuntime } from "./runtime";
export { inspectComponent, WEIR_WORLD } from "./inspect";
export type { ComponentInspection } from "./inspect";
export { cacheDir, transpileCached } from "./component-cache";
export type { Transpiled } from "./component-cache";
export { jsGuestComponent } from "./guest-build";
export { componentizeJs, WIT_DIR } from "./js-component";
export type { ComponentizeJsOptions } from "./js-component";
