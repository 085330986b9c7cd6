"use client";
// A registry-encoded Kafka node's port type, as the server derived it from the schema registry:
// the subject, its version and schema id, and each field with its type; or why there is none
// (the registry unreachable, the subject missing, …), so an untyped port is never a mystery.
import type { PortSchema } from "@weir/domain";
import { describeSchema } from "@weir/domain";
import type { DerivedTypes } from "./use-derived-types";

export interface RegistryTypeProps {
  nodeId: string;
  derived: DerivedTypes | undefined;
  asking: boolean;
  error: string | null;
}

/** The fields of an object type, each with its type in short; empty for any other type. */
function fieldsOf(schema: PortSchema): { name: string; type: string; required: boolean }[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, type]) => ({
    name,
    type: describeSchema(type, 60),
    required: required.has(name),
  }));
}

export default function RegistryTypeImpl({ nodeId, derived, asking, error }: RegistryTypeProps) {
  const lookups = derived?.registry.filter((l) => l.nodeId === nodeId) ?? [];
  return (
    <section className="field registry-type" data-testid="registry-type">
      <div className="field-label">Type from the schema registry</div>
      {error !== null ? (
        <p className="muted small" data-testid="registry-type-error">
          Could not ask for it: {error}
        </p>
      ) : derived === undefined ? (
        <p className="muted small">{asking ? "Looking it up…" : "Not looked up yet."}</p>
      ) : lookups.length === 0 ? (
        <p className="muted small" data-testid="registry-type-none">
          None: the node&apos;s own schema types it, or its subject is named only while writing.
        </p>
      ) : (
        lookups.map((lookup) => (
          <div key={lookup.port} data-testid={`registry-type-${lookup.port}`}>
            <p className="small" data-testid="registry-type-subject">
              {lookup.port === "output" ? "Output" : "Input"}
              {lookup.subject === null ? (
                ""
              ) : (
                <>
                  {" "}
                  · subject <code>{lookup.subject}</code>
                </>
              )}
              {lookup.version === null ? "" : ` · version ${String(lookup.version)}`}
              {lookup.schemaId === null ? "" : ` · schema id ${String(lookup.schemaId)}`}
              {lookup.schemaType === null ? "" : ` · ${lookup.schemaType}`}
              {lookup.from === "config" ? " · from the schema text" : ""}
            </p>
            {lookup.schema !== null ? (
              fieldsOf(lookup.schema).length > 0 ? (
                <ul className="registry-type-fields" data-testid="registry-type-fields">
                  {fieldsOf(lookup.schema).map((f) => (
                    <li key={f.name}>
                      <code>
                        {f.name}
                        {f.required ? "" : "?"}
                      </code>{" "}
                      <span className="muted">{f.type}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="small">
                  <code>{describeSchema(lookup.schema, 80)}</code>
                </p>
              )
            ) : (
              <p className="small" data-testid="registry-type-none">
                Untyped: {lookup.reason}
              </p>
            )}
          </div>
        ))
      )}
      {asking && derived !== undefined ? <p className="muted small">Looking it up again…</p> : null}
    </section>
  );
}
