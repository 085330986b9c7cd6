// The JSON Schema of a flow file (published as apps/cli/flow.schema.json, so editors complete
// and check flow files): the domain's flow spec, closed to unknown fields as `apply` is, with a
// function's code either inline or `{ file }`.
import { flowSpecSchema } from "@weir/domain";
import { z } from "zod";

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
  const delivery = props.delivery;
  if (delivery)
    delivery.description =
      'between nodes on the Kafka transport: "at-least-once" (default) or "exactly-once" (one Kafka transaction per batch; no ctx.state writes)';
  const tests = props.tests;
  if (tests) tests.description = "test cases `weir test FILE` and the editor run as dry runs";
  return {
    $schema: schema.$schema,
    $id: "https://weir.dev/schemas/flow-file.json",
    title: "Weir flow file",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
