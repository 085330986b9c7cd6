import type { Dialect } from "../../harness";
import { BYTE_CASES } from "./bytes";
import { CHECK_SOURCES } from "./check";
import { CONTAINMENT_SOURCES, tamperingCounterpart } from "./containment";
import { CONTEXT_SOURCES } from "./context";
import { INIT_SOURCES } from "./init";
import { OUTPUTS_SOURCES } from "./outputs";
import { STATE_SOURCES } from "./state";
import { STREAM_SOURCES } from "./stream";

const TABLE = new Map<string, string>([
  ...CHECK_SOURCES,
  ...OUTPUTS_SOURCES,
  ...INIT_SOURCES,
  ...STREAM_SOURCES,
  ...STATE_SOURCES,
  ...CONTEXT_SOURCES,
  ...CONTAINMENT_SOURCES,
  ...BYTE_CASES,
]);

/**
 * The suite's cases in Python, for the `python` runtime: each TypeScript source of the suites,
 * by its exact text, and the Python that means the same. Where JavaScript has a thing Python
 * has not, the counterpart tests the Python form of the same promise:
 *
 * - `export default` / `export function* stream` / `init` → `def handle(record, ctx)` /
 *   `def stream(records, ctx)` (a generator, sync or async) / `def init(ctx)`; records are dicts.
 * - `await ctx.state.get(k)` → `ctx.state.get(k)` (a blocking read; Python handlers may be sync).
 * - Imports: Python may import the standard library; only modules that reach processes, the
 *   network or native code are refused by check (the import cases use `socket`, `subprocess`).
 * - Thrown non-Errors → `BaseException`s that are not `Exception`s (SystemExit,
 *   KeyboardInterrupt, GeneratorExit), which must not end the worker; they carry the text the
 *   JavaScript value shows, as Python has no throwable null or undefined.
 * - Removed globals (process, require, the Function constructor) → the names do not exist in
 *   Python either; the isolation is the process and its namespaces: the global-object case asks
 *   the sandbox instead (network, host files, writable filesystem).
 * - Prototype tampering → replacing builtins and json's functions, which must not break the
 *   runtime's own bookkeeping; another instance is another process and never sees it.
 * - Frozen objects → read-only mappings that refuse assignment.
 * - `Uint8Array` → `bytes` (a function may also return `bytearray` or `memoryview`); `typeof` →
 *   the JSON type's name; `| 0` → the same wrap to a signed 32-bit integer.
 */
export const pythonDialect: Dialect = {
  language: "python",
  source(code) {
    const python = TABLE.get(code) ?? tamperingCounterpart(code);
    if (python !== undefined) return python;
    throw new Error(`the Python dialect has no counterpart of this case's source:\n${code}`);
  },
};
