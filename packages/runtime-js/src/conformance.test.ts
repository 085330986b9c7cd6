import { describeRuntimeConformance } from "@weir/runtime-conformance";
import { createJsRuntime, jsRuntime } from "./index";

// A heap fills in tens of milliseconds, but on a loaded CI machine the isolate may get too little
// CPU to reach its limit within the suite's usual 300 ms; the limit that matters here is memory.
describeRuntimeConformance("js", () => jsRuntime, { memoryBombTimeoutMs: 5_000 });

// Quick batches run on the engine's thread (applySync); the suite's instances are too young for
// that, so it runs again with every batch started there: the same contract, the same containment.
describeRuntimeConformance(
  "js (batches on the engine's thread)",
  () => createJsRuntime({ batchesOnThread: "always" }),
  {
    memoryBombTimeoutMs: 5_000,
  },
);
