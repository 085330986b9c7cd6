import type { FunctionRuntime } from "@weir/domain";
import { compile } from "@weir/function-contract/compile";
import { createJsInstance } from "./instance";

/**
 * The `js` runtime: TypeScript or JavaScript functions, each instance in its own V8 isolate
 * (isolated-vm) with a heap limit and a per-record time limit, and nothing of Node inside.
 */
export const jsRuntime: FunctionRuntime = {
  name: "js",
  check: (source) => Promise.resolve(compile(source).problems),
  createInstance: createJsInstance,
};
