import { describeRuntimeConformance } from "@weir/runtime-conformance";
import { jsGuestComponent, wasmRuntime } from "./index";

describeRuntimeConformance(
  "wasm",
  async () => {
    // The JS guest is componentized once per machine (cached on disk); the first run builds it.
    await jsGuestComponent();
    return wasmRuntime;
  },
  // StarlingMonkey interprets: filling 32 MiB takes seconds, so the bomb needs more than 300 ms
  // to reach the memory cap rather than the time limit.
  { memoryBombTimeoutMs: 15_000 },
);
