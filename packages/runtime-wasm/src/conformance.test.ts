import { describeRuntimeConformance } from "@weir/runtime-conformance";
import { jsGuestComponent, wasmRuntime } from "./index";

describeRuntimeConformance("wasm", async () => {
  // The JS guest is componentized once per machine (cached on disk); the first run builds it.
  await jsGuestComponent();
  return wasmRuntime;
});
