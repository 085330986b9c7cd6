"use client";
// One config field: its control, the text as typed (kept even while invalid, so nothing typed is
// lost), and an inline message from the schema check or from the last save.
import type { JsonValue } from "@weir/domain";
import { useEffect, useRef, useState } from "react";
import type { FieldSpec } from "../schema-form";
import { formatValue, parseField } from "../schema-form";

interface Props {
  field: FieldSpec;
  value: JsonValue | undefined;
  serverError: string | undefined;
  onValue: (value: JsonValue | undefined) => void;
  onValidity: (error: string | null) => void;
}

const sameValue = (a: JsonValue | undefined, b: JsonValue | undefined): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

export function ConfigField({ field, value, serverError, onValue, onValidity }: Props) {
  const [text, setText] = useState(() => formatValue(field, value));
  const [error, setError] = useState<string | null>(null);
  // A field that goes away (another node selected, the node deleted) no longer holds up saving;
  // the config keeps its last valid value.
  const report = useRef(onValidity);
  report.current = onValidity;
  useEffect(
    () => () => {
      report.current(null);
    },
    [],
  );

  // Undo, redo or a reload changed the value underneath: show it, unless it is what is typed.
  useEffect(() => {
    const typed = parseField(field, text);
    if (!typed.ok || !sameValue(typed.value, value)) {
      setText(formatValue(field, value));
      setError(null);
      onValidity(null);
    }
    // Keyed on the value's JSON: only a change of the value from outside matters, not each keystroke.
  }, [JSON.stringify(value)]);

  const change = (next: string): void => {
    setText(next);
    const result = parseField(field, next);
    if (result.ok) {
      setError(null);
      onValidity(null);
      if (!sameValue(result.value, value)) onValue(result.value);
    } else {
      setError(result.error);
      onValidity(result.error);
    }
  };

  const id = `field-${field.key}`;
  const message = error ?? serverError;
  const placeholder =
    field.default === undefined || field.default === null
      ? field.nullable
        ? "none"
        : ""
      : `default: ${formatValue(field, field.default).replace(/\s+/g, " ")}`;
  const common = {
    id,
    "data-testid": id,
    "aria-invalid": message !== undefined,
    "aria-describedby":
      [message ? `${id}-error` : "", field.description ? `${id}-help` : ""]
        .filter((x) => x !== "")
        .join(" ") || undefined,
    className: `input${message ? " input-invalid" : ""}`,
  };

  let control;
  switch (field.control.kind) {
    case "select":
      control = (
        <select
          {...common}
          value={text}
          onChange={(e) => {
            change(e.target.value);
          }}
        >
          {field.required && field.default === undefined ? null : (
            <option value="">
              {field.default === undefined ? "(not set)" : `default (${JSON.stringify(field.default)})`}
            </option>
          )}
          {field.control.options.map((o) => (
            <option key={JSON.stringify(o.value)} value={JSON.stringify(o.value)}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case "boolean":
      control = (
        <select
          {...common}
          value={text}
          onChange={(e) => {
            change(e.target.value);
          }}
        >
          <option value="">
            {field.default === undefined ? "(not set)" : `default (${JSON.stringify(field.default)})`}
          </option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
      break;
    case "json":
      control = (
        <textarea
          {...common}
          className={`${common.className} input-code`}
          rows={Math.min(8, Math.max(3, text.split("\n").length))}
          value={text}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => {
            change(e.target.value);
          }}
        />
      );
      break;
    case "number":
      control = (
        <input
          {...common}
          inputMode="numeric"
          value={text}
          placeholder={placeholder}
          onChange={(e) => {
            change(e.target.value);
          }}
        />
      );
      break;
    case "list":
      control = (
        <input
          {...common}
          value={text}
          placeholder={placeholder || "comma-separated"}
          onChange={(e) => {
            change(e.target.value);
          }}
        />
      );
      break;
    case "text":
      control = (
        <input
          {...common}
          value={text}
          placeholder={placeholder}
          onChange={(e) => {
            change(e.target.value);
          }}
        />
      );
      break;
  }

  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {field.label}
        {field.required ? <span className="field-required"> *</span> : null}
      </label>
      {control}
      {field.description ? (
        <div className="field-help" id={`${id}-help`} data-testid={`field-help-${field.key}`}>
          {field.description}
        </div>
      ) : null}
      {message ? (
        <div className="field-error" id={`${id}-error`} data-testid={`field-error-${field.key}`} role="alert">
          {message}
        </div>
      ) : null}
    </div>
  );
}
