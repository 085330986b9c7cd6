import type { FunctionRuntime } from "@weir/domain";
import { compile } from "@weir/function-contract/compile";
import { createJsInstance } from "./instance";
import type { BatchesOnThread } from "./sandbox";

export type { BatchesOnThread } from "./sandbox";

export interface JsRuntimeOptions {
  /** Where batches run (see Sandbox.callOnThread); `adaptive` unless a test says otherwise. */
  batchesOnThread?: BatchesOnThread;
}

/**
 * The `js` runtime: TypeScript or JavaScript functions, each instance in its own V8 isolate
 * (isolated-vm) with a heap limit and a per-record time limit, and nothing of Node inside.
 */
export function createJsRuntime(options: JsRuntimeOptions = {}): FunctionRuntime {
  const batchesOnThread = options.batchesOnThread ?? "adaptive";
  return {
    name: "js",
    check: (source) => Promise.resolve(compile(source).problems),
    createInstance: (spec, host) => createJsInstance(spec, host, batchesOnThread),
  };
}

export const jsRuntime: FunctionRuntime = createJsRuntime();
