import type { FunctionRuntime } from "@weir/domain";
import { checkPython } from "./check";
import { createPythonInstance } from "./instance";

/**
 * The `python` runtime: each instance is a CPython worker process in a bubblewrap sandbox (no
 * network, read-only /usr and nothing else of the host, its own /tmp and PIDs), with an
 * address-space cap, a CPU-seconds backstop and a wall-clock limit per call; records cross in
 * batches over its pipes.
 */
export const pythonRuntime: FunctionRuntime = {
  name: "python",
  check: (source) => checkPython(source.code),
  createInstance: createPythonInstance,
};
