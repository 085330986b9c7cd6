import { describe, expect, it } from "vitest";
import { flowDocFromText, flowDocToYaml } from "./flow-file";
import type { FlowDoc } from "./graph";

const doc = {
  name: "round trip",
  description: "",
  nodes: [
    { id: "gen", kind: "source", type: "generator", config: { intervalMs: 100 }, position: { x: 0, y: 0 } },
    {
      id: "fn",
      kind: "function",
      type: "function",
      config: { code: "export default (r) => r;\n" },
      position: { x: 1, y: 2 },
    },
  ],
  edges: [{ id: "e", from: { node: "gen", port: "out" }, to: { node: "fn" } }],
} as unknown as FlowDoc;

describe("flow file in the editor", () => {
  it("exports YAML that imports back to the same flow", () => {
    const text = flowDocToYaml(doc);
    expect(text).toContain("name: round trip\n");
    const back = flowDocFromText(text);
    expect(back.ok).toBe(true);
    if (back.ok) expect(flowDocToYaml(back.doc)).toBe(text);
  });

  it("keeps a file's tests, and refuses code files, bad shapes and malformed text with their paths", () => {
    const withTests = flowDocFromText(`${flowDocToYaml(doc)}tests: [{ name: t, input: {} }]\n`);
    expect(withTests.ok ? withTests.doc.tests : null).toEqual([
      { name: "t", input: {}, expect: {}, match: "exact", order: "strict", deadLetters: [] },
    ]);
    if (withTests.ok) expect(flowDocFromText(flowDocToYaml(withTests.doc))).toEqual(withTests);
    const withFile = { ...doc, nodes: [{ ...doc.nodes[1], config: { code: { file: "./fn.ts" } } }] };
    const codeFile = flowDocFromText(JSON.stringify(withFile));
    expect(codeFile).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^nodes\[0\]\.config\.code: code from a file/)],
    });
    const bad = flowDocFromText("name: x\nnodes: 3\nedges: []\n");
    expect(bad.ok ? [] : bad.problems).toEqual([expect.stringMatching(/^nodes: /)]);
    expect(flowDocFromText("name: [x\n").ok).toBe(false);
  });
});
