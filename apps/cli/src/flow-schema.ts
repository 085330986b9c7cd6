// The JSON Schema of a flow file (published as apps/cli/flow.schema.json, so editors complete
// and check flow files): the domain's flow spec, closed to unknown fields as `apply` is, with a
// function's code either inline or `{ file }`.
import { flowSpecSchema } from "@weir/domain";
import { z } from "zod";
import { flowTestsSchema } from "./flow-tests";

type Schema = Record<string, unknown>;

function close(schema: unknown): void {
  if (typeof schema === "object" && schema !== null && (schema as Schema).type === "object") {
    (schema as Schema).additionalProperties = false;
  }
}

export function flowFileJsonSchema(): Schema {
  const schema = z.toJSONSchema(flowSpecSchema, { io: "input", unrepresentable: "any" }) as Schema;
  const props = schema.properties as Record<string, Schema>;
  close(schema);
  const node = (props.nodes?.items ?? {}) as Schema;
  close(node);
  const edge = (props.edges?.items ?? {}) as Schema;
  close(edge);
  const edgeProps = (edge.properties ?? {}) as Record<string, Schema>;
  close(edgeProps.from);
  close(edgeProps.to);
  const nodeProps = (node.properties ?? {}) as Record<string, Schema>;
  const config = nodeProps.config ?? {};
  config.properties = {
    code: {
      description: "a function node's code, inline, or read from a file relative to the flow file",
      anyOf: [
        { type: "string" },
        {
          type: "object",
          properties: { file: { type: "string", minLength: 1 } },
          required: ["file"],
          additionalProperties: false,
        },
      ],
    },
  };
  nodeProps.config = config;
  // Not part of the spec: the file's test cases, run by `weir test FILE` (flow-tests.ts).
  const { $schema: _, ...tests } = z.toJSONSchema(flowTestsSchema, {
    io: "input",
    unrepresentable: "any",
  }) as Schema;
  props.tests = { description: "test cases `weir test FILE` runs as dry runs", ...tests };
  return {
    $schema: schema.$schema,
    $id: "https://weir.dev/schemas/flow-file.json",
    title: "Weir flow file",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
