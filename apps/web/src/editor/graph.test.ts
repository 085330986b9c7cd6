import { describe, expect, it } from "vitest";
import type { FlowDoc, NodeTypeIndex, NodeTypeInfo } from "./graph";
import {
  addNode,
  canConnect,
  connect,
  copySelection,
  freeSpot,
  freshId,
  outputPorts,
  paste,
  removeElements,
  setOutputs,
} from "./graph";

const info = (type: string, kind: NodeTypeInfo["kind"], ports: NodeTypeInfo["ports"]): NodeTypeInfo => ({
  type,
  kind,
  name: type,
  description: "",
  icon: "",
  ports,
  configJsonSchema: {},
});
const types: NodeTypeIndex = new Map([
  ["generator", info("generator", "source", { fixed: ["out"] })],
  ["function", info("function", "function", { userDefined: { default: ["out"] } })],
  ["log", info("log", "sink", { fixed: [] })],
]);
const type = (name: string): NodeTypeInfo => types.get(name) as NodeTypeInfo;

function pipeline(): FlowDoc {
  let doc: FlowDoc = { name: "f", description: "", nodes: [], edges: [] };
  doc = addNode(doc, type("generator"), { x: 0, y: 0 }).doc;
  doc = addNode(doc, type("function"), { x: 200, y: 0 }).doc;
  doc = addNode(doc, type("function"), { x: 400, y: 0 }).doc;
  doc = addNode(doc, type("log"), { x: 600, y: 0 }).doc;
  return doc;
}

describe("graph edits", () => {
  it("gives new nodes unique ids after their type", () => {
    const doc = pipeline();
    expect(doc.nodes.map((n) => n.id)).toEqual(["generator", "function", "function-2", "log"]);
    expect(doc.nodes[3]).toMatchObject({ kind: "sink", type: "log", config: {} });
    expect(freshId("a b", new Set())).toBe("a-b");
  });

  it("connects an output port to an input", () => {
    const result = connect(pipeline(), types, { node: "generator", port: "out" }, "function");
    expect("edgeId" in result).toBe(true);
    expect(result.doc.edges).toEqual([
      { id: "generator-function", from: { node: "generator", port: "out" }, to: { node: "function" } },
    ]);
  });

  it("refuses a sink's output, an input into a source, a self-loop and a duplicate", () => {
    let doc = pipeline();
    expect(canConnect(doc, types, { node: "log", port: "out" }, "function")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("sink") as string,
    });
    expect(canConnect(doc, types, { node: "function", port: "out" }, "generator")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("source") as string,
    });
    expect(canConnect(doc, types, { node: "function", port: "out" }, "function").ok).toBe(false);
    expect(canConnect(doc, types, { node: "function", port: "nope" }, "log")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no output port") as string,
    });
    doc = connect(doc, types, { node: "function", port: "out" }, "log").doc;
    expect(canConnect(doc, types, { node: "function", port: "out" }, "log")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already") as string,
    });
  });

  it("refuses an edge that closes a cycle, and leaves the document as it was", () => {
    let doc = pipeline();
    doc = connect(doc, types, { node: "function", port: "out" }, "function-2").doc;
    const refused = connect(doc, types, { node: "function-2", port: "out" }, "function");
    expect(refused).toMatchObject({ refused: expect.stringContaining("cycle") as string });
    expect(refused.doc).toBe(doc);
  });

  it("removes a node with its edges", () => {
    let doc = pipeline();
    doc = connect(doc, types, { node: "generator", port: "out" }, "function").doc;
    doc = connect(doc, types, { node: "function", port: "out" }, "log").doc;
    doc = connect(doc, types, { node: "generator", port: "out" }, "function-2").doc;
    const after = removeElements(doc, ["function"]);
    expect(after.nodes.map((n) => n.id)).toEqual(["generator", "function-2", "log"]);
    expect(after.edges.map((e) => e.id)).toEqual(["generator-function-2"]);
    expect(removeElements(doc, [], ["generator-function"]).edges).toHaveLength(2);
  });

  it("drops edges from ports a function no longer has", () => {
    let doc = pipeline();
    doc = setOutputs(doc, "function", ["ok", "alerts"]);
    expect(outputPorts(doc.nodes[1] as (typeof doc.nodes)[number], types)).toEqual(["ok", "alerts"]);
    doc = connect(doc, types, { node: "function", port: "alerts" }, "log").doc;
    doc = connect(doc, types, { node: "function", port: "ok" }, "function-2").doc;
    doc = setOutputs(doc, "function", ["ok"]);
    expect(doc.edges.map((e) => e.from.port)).toEqual(["ok"]);
  });

  it("copies the selected nodes with the edges between them and pastes them with fresh ids", () => {
    let doc = pipeline();
    doc = connect(doc, types, { node: "generator", port: "out" }, "function").doc;
    doc = connect(doc, types, { node: "function", port: "out" }, "log").doc;
    const clipboard = copySelection(doc, ["generator", "function"]);
    expect(clipboard.edges).toHaveLength(1);
    const pasted = paste(doc, clipboard, { x: 40, y: 40 });
    expect(pasted.nodeIds).toEqual(["generator-2", "function-3"]);
    expect(pasted.doc.nodes.at(-1)?.position).toEqual({ x: 240, y: 40 });
    expect(pasted.doc.edges.at(-1)).toMatchObject({
      from: { node: "generator-2" },
      to: { node: "function-3" },
    });
    // The clipboard is a copy: editing the document afterwards does not change what is pasted.
    expect(clipboard.nodes[0]?.id).toBe("generator");
  });
});

describe("freeSpot", () => {
  it("keeps a free spot and moves off an occupied one to the right", () => {
    const empty: FlowDoc = { name: "f", description: "", nodes: [], edges: [] };
    expect(freeSpot(empty, { x: 10, y: 20 })).toEqual({ x: 10, y: 20 });
    const one = addNode(empty, type("generator"), { x: 0, y: 0 }).doc;
    const spot = freeSpot(one, { x: 30, y: 10 });
    expect(spot.y).toBe(10);
    expect(spot.x).toBeGreaterThanOrEqual(220);
    const two = addNode(one, type("log"), spot).doc;
    expect(freeSpot(two, { x: 30, y: 10 }).x).toBeGreaterThan(spot.x);
  });
});
