import { describe, expect, it } from "vitest";
import type { FlowNode } from "@weir/domain";
import type { FlowDoc } from "./graph";
import { registryDraft } from "./registry-draft";

const at = { x: 0, y: 0 };
const source = (valueFormat: string): FlowNode => ({
  id: "orders",
  kind: "source",
  type: "kafka-source",
  config: { topics: ["orders"], valueFormat, registry: "registry" },
  position: at,
});
const fn: FlowNode = { id: "total", kind: "function", type: "function", config: { code: "x" }, position: at };
const doc = (from: FlowNode, to: FlowNode = fn): FlowDoc => ({
  name: "f",
  description: "",
  nodes: [from, to, { id: "log", kind: "sink", type: "log", config: {}, position: at }],
  edges: [
    { id: "e1", from: { node: from.id, port: "out" }, to: { node: to.id } },
    { id: "e2", from: { node: to.id, port: "out" }, to: { node: "log" } },
  ],
});

describe("registryDraft", () => {
  it("sends a function with the registry source feeding it, without its code", () => {
    expect(registryDraft(doc(source("registry")), "total")).toEqual({
      name: "f",
      nodes: [{ ...fn, config: {} }, source("registry")],
      edges: [{ id: "e1", from: { node: "orders", port: "out" }, to: { node: "total" } }],
    });
  });

  it("sends a registry source alone (nothing feeds it)", () => {
    expect(registryDraft(doc(source("registry")), "orders")?.nodes.map((n) => n.id)).toEqual(["orders"]);
  });

  it("asks nothing where no registry is involved, or the function's input is its own", () => {
    expect(registryDraft(doc(source("json")), "total")).toBeNull();
    expect(registryDraft(doc(source("json")), "orders")).toBeNull();
    expect(registryDraft(doc(source("registry")), "log")).toBeNull();
    const typed = { ...fn, schemas: { input: { type: "object" as const } } };
    expect(registryDraft(doc(source("registry"), typed), "total")).toBeNull();
    expect(registryDraft(doc(source("registry")), "missing")).toBeNull();
  });
});
