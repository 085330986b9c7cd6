"use client";
// A node's port types in its Settings: the input's schema (functions, sinks) and one per output port
// (functions, sources), each optional JSON Schema typed as text.
import type { FlowNode, PortSchema } from "@weir/domain";
import { PortSchemaField } from "./port-schema-field";

interface Props {
  node: FlowNode;
  /** The node's output ports (none for a sink). */
  ports: string[];
  serverError?: string | undefined;
  onSchema: (port: { input: true } | { output: string }, schema: PortSchema | undefined) => void;
  onValidity: (key: string, error: string | null) => void;
}

const INPUT_HELP: Record<FlowNode["kind"], string> = {
  function:
    "What this function accepts. record.value is typed from it in the code; edges from ports whose type does not fit are flagged, and Test checks its samples against it.",
  sink: "What this sink accepts; edges from ports whose type does not fit are flagged.",
  source: "",
};

export function PortTypesFields({ node, ports, serverError, onSchema, onValidity }: Props) {
  const outputs = node.kind === "sink" ? [] : ports;
  return (
    <fieldset className="field-group" data-testid="port-types">
      <legend className="field-label">Port types (optional JSON Schema)</legend>
      {node.kind !== "source" ? (
        <PortSchemaField
          id="input"
          label="Input schema"
          help={INPUT_HELP[node.kind]}
          schema={node.schemas?.input}
          serverError={serverError}
          onSchema={(schema) => {
            onSchema({ input: true }, schema);
          }}
          onValidity={(error) => {
            onValidity("schemas.input", error);
          }}
        />
      ) : null}
      {outputs.map((port) => (
        <PortSchemaField
          key={port}
          id={`output-${port}`}
          label={`Schema of port ${port}`}
          help={`What this ${node.kind} sends to '${port}'; checked against the input of the node it feeds.`}
          schema={node.schemas?.outputs?.[port]}
          serverError={node.kind === "source" ? serverError : undefined}
          onSchema={(schema) => {
            onSchema({ output: port }, schema);
          }}
          onValidity={(error) => {
            onValidity(`schemas.output.${port}`, error);
          }}
        />
      ))}
    </fieldset>
  );
}
