import { SILENT_FUNCTION_HOST } from "@weir/domain";
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
  let warming: Promise<void> | undefined;
  return {
    name: "js",
    check: (source) => Promise.resolve(compile(source).problems),
    createInstance: (spec, host) => createJsInstance(spec, host, batchesOnThread),
    warmUp: () => (warming ??= warmUp()),
  };
}

/**
 * The first compile in a process costs a few hundred milliseconds (TypeScript's compiler warming
 * up) and the first isolate about a hundred more: one throwaway function, compiled, started and
 * given a record, pays for both before any deploy does.
 */
async function warmUp(): Promise<void> {
  const instance = await createJsInstance(
    {
      nodeId: "warm-up",
      code: "export default async (record: { value: unknown }) => ({ value: record.value });",
      language: "typescript",
      params: {},
      ports: ["out"],
      timeoutMs: 5_000,
      memoryLimitMb: 16,
    },
    SILENT_FUNCTION_HOST,
    "never",
  );
  try {
    await instance.process([{ key: null, value: 1, headers: {}, timestamp: 0 }]);
  } finally {
    await instance.close();
  }
}

export const jsRuntime: FunctionRuntime = createJsRuntime();
