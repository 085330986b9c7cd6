import type { FunctionRuntime } from "@weir/domain";
import { compile } from "@weir/function-contract/compile";
import { createWasmInstance } from "./instance";

/**
 * The `wasm` runtime: each instance is a WebAssembly component (a prebuilt `weir:function`
 * component, or the runtime's JS guest running the node's TS/JS code) transpiled by jco and run
 * on its own worker thread, with a per-record time limit and a memory cap.
 */
export const wasmRuntime: FunctionRuntime = {
  name: "wasm",
  check: (source) => Promise.resolve(compile(source).problems),
  createInstance: createWasmInstance,
};
