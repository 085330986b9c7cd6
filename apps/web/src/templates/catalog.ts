// The "New from template" gallery: flow specs from examples/ (bundled at build time, so the
// gallery works wherever the editor runs). Add a template by adding its JSON to
// examples/templates and a line here; catalog.test.ts validates every one.
import type { FlowSpecInput } from "@weir/domain";
import quickstart from "../../../../examples/generator-js-log.json";
import httpRouter from "../../../../examples/templates/http-router.json";
import kafkaEnrich from "../../../../examples/templates/kafka-enrich.json";
import wasmFunction from "../../../../examples/templates/wasm-function.json";
import wasmGo from "../../../../examples/templates/wasm-go.json";
import wasmPython from "../../../../examples/templates/wasm-python.json";
import pythonNative from "../../../../examples/templates/python-native.json";
import { withLayout } from "./layout";

export interface FlowTemplate {
  id: string;
  title: string;
  /** What it needs before it runs, if anything. */
  needs?: string;
  /**
   * The example function (examples/functions/<component>) its function node runs: a component
   * the user builds and uploads, then picks in the node (a template cannot know its hash).
   */
  component?: "go" | "python";
  spec: FlowSpecInput;
}

const TEMPLATE_LIST: readonly FlowTemplate[] = [
  { id: "quickstart", title: "Quickstart: generator → function → log", spec: quickstart as FlowSpecInput },
  { id: "http-router", title: "HTTP router", spec: httpRouter as FlowSpecInput },
  {
    id: "kafka-enrich",
    title: "Kafka enrich",
    needs: "a connection profile named “kafka” and the topics orders and orders-enriched",
    spec: kafkaEnrich as FlowSpecInput,
  },
  { id: "python", title: "Python function (CPython, sandboxed)", spec: pythonNative as FlowSpecInput },
  { id: "wasm-function", title: "WebAssembly function", spec: wasmFunction as FlowSpecInput },
  { id: "wasm-go", title: "Go function (WebAssembly)", component: "go", spec: wasmGo as FlowSpecInput },
  {
    id: "wasm-python",
    title: "Python function (WebAssembly)",
    component: "python",
    spec: wasmPython as FlowSpecInput,
  },
];

/** Every template, its nodes laid out left to right when its JSON gives no positions. */
export const TEMPLATES: readonly FlowTemplate[] = TEMPLATE_LIST.map((t) => ({
  ...t,
  spec: withLayout(t.spec),
}));
