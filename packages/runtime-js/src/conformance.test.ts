import { describeRuntimeConformance } from "@weir/runtime-conformance";
import { jsRuntime } from "./index";

// A heap fills in tens of milliseconds, but on a loaded CI machine the isolate may get too little
// CPU to reach its limit within the suite's usual 300 ms; the limit that matters here is memory.
describeRuntimeConformance("js", () => jsRuntime, { memoryBombTimeoutMs: 5_000 });
