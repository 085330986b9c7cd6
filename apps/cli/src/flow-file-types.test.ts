// Typed ports in flow files: the example loads; the same file with a port type that cannot fit is
// refused before anything is sent, at the edge's line, naming both ports and both types.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CliError } from "./errors";
import { loadFlowFile } from "./flow-file";

const example = fileURLToPath(new URL("../../../examples/flows/typed-orders.yaml", import.meta.url));

describe("flow files with port types", () => {
  it("loads the typed example with its schemas", () => {
    const { spec } = loadFlowFile(example);
    expect(spec.nodes.find((n) => n.id === "gross")?.schemas?.input).toMatchObject({
      required: ["id", "amount"],
    });
  });

  it("refuses an edge whose types cannot fit, at the edge's line", () => {
    const text = readFileSync(example, "utf8").replace(
      "input: { type: object, required: [gross] }",
      "input: { type: object, properties: { gross: { type: string } }, required: [gross] }",
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "weir-typed-")), "typed.yaml");
    writeFileSync(file, text);
    let error: unknown;
    try {
      loadFlowFile(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    const { details } = error as CliError;
    const edgeLine = text.split("\n").findIndex((line) => line.includes("id: gross-out")) + 1;
    expect(details).toEqual([
      `${file}:${String(edgeLine)}: edges[1]: port 'out' of 'gross' sends { id: number; gross: number; } but the input of 'out' accepts { gross: string; }: a record such as {"id":0.5,"gross":0.5} would be refused (at gross: must be string (got number 0.5))`,
    ]);
  });
});
