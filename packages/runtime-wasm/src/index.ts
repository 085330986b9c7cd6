// The WebAssembly component runtime arrives with its own issue ("WebAssembly component runtime
// through jco"). It will implement FunctionRuntime from @weir/domain and pass the same
// conformance suite as @weir/runtime-js. Until then the engine offers only the `js` runtime.
export const runtimeName = "wasm";
