export { compile, compileForRun } from "./compile";
export type { CompileResult } from "./compile";
export { secretRedactor } from "./redact";
export { failure, parseCallResult } from "./call-result";
export type { CallResult, LoadResult, LogLevel } from "./call-result";
export { CONTRACT_MODULE, contractDeclarations, contractDeclarationsPath } from "./contract";
export { CONTRACT_SAMPLE } from "./contract-sample";
