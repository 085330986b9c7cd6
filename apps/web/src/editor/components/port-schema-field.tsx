"use client";
// One port's type in a function's Settings: JSON Schema typed as text, checked on every keystroke
// (JSON, then the supported subset, with the path of what is wrong); empty means untyped.
import type { PortSchema } from "@weir/domain";
import { useEffect, useRef, useState } from "react";
import { parseSchemaText, schemaText } from "../port-types";

interface Props {
  /** `input`, or the output port's name: ids and test ids derive from it. */
  id: string;
  label: string;
  help: string;
  schema: PortSchema | undefined;
  serverError?: string | undefined;
  onSchema: (schema: PortSchema | undefined) => void;
  onValidity: (error: string | null) => void;
}

export function PortSchemaField({ id, label, help, schema, serverError, onSchema, onValidity }: Props) {
  const [text, setText] = useState(() => schemaText(schema));
  const [error, setError] = useState<string | null>(null);
  const schemaKey = JSON.stringify(schema ?? null);
  // Follows the document when it changes under the field (undo, another tab), not while typing.
  useEffect(() => {
    setText((current) => {
      const parsed = parseSchemaText(current);
      return parsed.ok && JSON.stringify(parsed.schema ?? null) === schemaKey
        ? current
        : schemaText(JSON.parse(schemaKey) as PortSchema | undefined);
    });
  }, [schemaKey]);

  // Text that never reached the document goes with the field (another node selected, its port
  // removed), so its error must not keep blocking the save.
  const validity = useRef(onValidity);
  validity.current = onValidity;
  useEffect(
    () => () => {
      validity.current(null);
    },
    [],
  );

  const fieldId = `field-schema-${id}`;
  return (
    <div className="field">
      <label htmlFor={fieldId} className="field-label">
        {label}
      </label>
      <textarea
        id={fieldId}
        data-testid={fieldId}
        className={`input input-code schema-input${error ? " input-invalid" : ""}`}
        spellCheck={false}
        rows={text.split("\n").length > 3 ? 8 : 3}
        placeholder='{ "type": "object", "properties": { "amount": { "type": "number" } } }'
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseSchemaText(e.target.value);
          if (parsed.ok) {
            setError(null);
            onValidity(null);
            if (JSON.stringify(parsed.schema ?? null) !== schemaKey) onSchema(parsed.schema);
          } else {
            setError(parsed.error);
            onValidity(parsed.error);
          }
        }}
      />
      <div className="field-help">{help}</div>
      {(error ?? serverError) ? (
        <div className="field-error" data-testid={`${fieldId}-error`} role="alert">
          {error ?? serverError}
        </div>
      ) : null}
    </div>
  );
}
