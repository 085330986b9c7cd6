import { describeRuntimeConformance, pythonDialect } from "@weir/runtime-conformance";
import { pythonRuntime } from "./index";

// The suite's cases in Python (runtime-conformance/src/dialects/python/): the same contract,
// the same containment, each case's source in Python; byte values are `bytes`.
describeRuntimeConformance("python", () => pythonRuntime, { dialect: pythonDialect });
