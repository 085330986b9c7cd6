import { describe } from "vitest";
import type { FunctionRuntime } from "@weir/domain";
import type { ConformanceOptions } from "./harness";
import { createHarness } from "./harness";
import { bytesSuite } from "./suites/bytes";
import { checkSuite } from "./suites/check";
import { containmentSuite } from "./suites/containment";
import { contextSuite } from "./suites/context";
import { initSuite } from "./suites/init";
import { outputsSuite } from "./suites/outputs";
import { stateSuite } from "./suites/state";
import { streamSuite } from "./suites/stream";

export { createMemoryHost } from "./memory-host";
export type { LogEntry, LogLevel, MemoryHost, MemoryHostOptions } from "./memory-host";
export type { ConformanceOptions } from "./harness";

/**
 * Registers the function-contract tests every runtime must pass, as Vitest tests. Call it at
 * the top level of a test file: `describeRuntimeConformance("js", () => jsRuntime)`.
 */
export function describeRuntimeConformance(
  name: string,
  makeRuntime: () => FunctionRuntime | Promise<FunctionRuntime>,
  options: ConformanceOptions = {},
): void {
  describe(`${name} runtime conformance`, () => {
    const harness = createHarness(makeRuntime, options);
    checkSuite(harness);
    outputsSuite(harness);
    initSuite(harness);
    streamSuite(harness);
    if (options.bytes !== false) bytesSuite(harness);
    stateSuite(harness);
    contextSuite(harness);
    containmentSuite(harness);
  });
}
export { pythonDialect } from "./dialects/python/index";
export type { Dialect } from "./harness";
