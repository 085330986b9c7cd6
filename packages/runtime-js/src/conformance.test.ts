import { describeRuntimeConformance } from "@weir/runtime-conformance";
import { jsRuntime } from "./index";

describeRuntimeConformance("js", () => jsRuntime);
