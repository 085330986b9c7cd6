import { describeRuntimeConformance, pythonDialect } from "@weir/runtime-conformance";
import { pythonRuntime } from "./index";

// The suite's cases in Python (runtime-conformance/src/dialects/python.ts): the same contract,
// the same containment, each case's source in Python. Byte values are not part of the Python
// runtime yet (see README.md): its suite has no byte-value cases.
describeRuntimeConformance("python", () => pythonRuntime, { dialect: pythonDialect, bytes: false });
