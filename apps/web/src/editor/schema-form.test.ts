import { describe, expect, it } from "vitest";
import type { FieldSpec } from "./schema-form";
import { fieldsOf, formatValue, labelOf, parseField } from "./schema-form";

// Shapes as z.toJSONSchema produces them for the built-in node types.
const generator = {
  type: "object",
  properties: {
    intervalMs: { default: 1000, type: "integer", minimum: 0, maximum: 86400000 },
    count: {
      default: null,
      anyOf: [{ type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 }, { type: "null" }],
    },
    template: { default: { seq: "{{seq}}" }, $ref: "#/$defs/__schema0" },
    key: { default: null, anyOf: [{ type: "string", maxLength: 1000 }, { type: "null" }] },
  },
};
const kafkaSink = {
  type: "object",
  properties: {
    brokers: { minItems: 1, type: "array", items: { type: "string", pattern: "^[A-Za-z0-9.-]+:\\d{1,5}$" } },
    topic: { type: "string", pattern: "^[A-Za-z0-9._-]{1,249}$" },
    acks: {
      default: -1,
      anyOf: [
        { type: "number", const: -1 },
        { type: "number", const: 0 },
        { type: "number", const: 1 },
      ],
    },
    compression: { default: "none", type: "string", enum: ["none", "gzip"] },
    idempotent: { default: true, type: "boolean" },
    url: { type: "string", format: "uri" },
  },
  required: ["topic"],
};

const field = (fields: FieldSpec[], key: string): FieldSpec => {
  const found = fields.find((f) => f.key === key);
  if (!found) throw new Error(`no field ${key}`);
  return found;
};

describe("fieldsOf", () => {
  it("maps each property to a control", () => {
    const fields = fieldsOf(generator);
    expect(fields.map((f) => [f.key, f.control.kind, f.nullable])).toEqual([
      ["intervalMs", "number", false],
      ["count", "number", true],
      ["template", "json", false],
      ["key", "text", true],
    ]);
    expect(field(fields, "intervalMs")).toMatchObject({
      label: "Interval ms",
      default: 1000,
      control: { integer: true, min: 0, max: 86400000 },
    });
    const kafka = fieldsOf(kafkaSink);
    expect(field(kafka, "brokers").control).toMatchObject({
      kind: "list",
      minItems: 1,
      item: { kind: "text" },
    });
    expect(field(kafka, "acks").control).toEqual({
      kind: "select",
      options: [
        { label: "-1", value: -1 },
        { label: "0", value: 0 },
        { label: "1", value: 1 },
      ],
    });
    expect(field(kafka, "compression").control).toMatchObject({ kind: "select" });
    expect(field(kafka, "idempotent").control).toEqual({ kind: "boolean" });
    expect(field(kafka, "topic").required).toBe(true);
    expect(fieldsOf(null)).toEqual([]);
  });

  it("labels camelCase keys as words", () => {
    expect(labelOf("maxBodyBytes")).toBe("Max body bytes");
  });
});

describe("parseField", () => {
  const fields = [...fieldsOf(generator), ...fieldsOf(kafkaSink)];

  it("reads numbers within their bounds, with a message otherwise", () => {
    const interval = field(fields, "intervalMs");
    expect(parseField(interval, "250")).toEqual({ ok: true, value: 250 });
    expect(parseField(interval, "-1")).toEqual({ ok: false, error: "must be at least 0" });
    expect(parseField(interval, "1.5")).toEqual({ ok: false, error: "must be a whole number" });
    expect(parseField(interval, "ten")).toEqual({ ok: false, error: "must be a number" });
    expect(parseField(field(fields, "count"), "0")).toEqual({ ok: false, error: "must be more than 0" });
  });

  it("treats empty text as the default, null, or missing", () => {
    expect(parseField(field(fields, "intervalMs"), "")).toEqual({ ok: true, value: undefined });
    expect(parseField(field(fields, "count"), " ")).toEqual({ ok: true, value: null });
    expect(parseField(field(fields, "topic"), "")).toEqual({ ok: false, error: "is required" });
  });

  it("checks patterns, URLs and list items", () => {
    expect(parseField(field(fields, "topic"), "orders")).toEqual({ ok: true, value: "orders" });
    expect(parseField(field(fields, "topic"), "a b")).toMatchObject({
      ok: false,
      error: expect.stringContaining("must match") as string,
    });
    expect(parseField(field(fields, "url"), "not a url")).toMatchObject({ ok: false });
    const brokers = field(fields, "brokers");
    expect(parseField(brokers, "a:9092, b:9093")).toEqual({ ok: true, value: ["a:9092", "b:9093"] });
    expect(parseField(brokers, "a:9092, nope")).toMatchObject({
      ok: false,
      error: expect.stringContaining("item 2 ('nope')") as string,
    });
    expect(parseField(brokers, " , ")).toEqual({ ok: false, error: "needs at least 1 item" });
  });

  it("reads selects, booleans and JSON", () => {
    expect(parseField(field(fields, "acks"), "0")).toEqual({ ok: true, value: 0 });
    expect(parseField(field(fields, "compression"), '"gzip"')).toEqual({ ok: true, value: "gzip" });
    expect(parseField(field(fields, "compression"), '"zip"')).toMatchObject({ ok: false });
    expect(parseField(field(fields, "idempotent"), "false")).toEqual({ ok: true, value: false });
    expect(parseField(field(fields, "template"), '{"n": 1}')).toEqual({ ok: true, value: { n: 1 } });
    expect(parseField(field(fields, "template"), "{n: 1}")).toMatchObject({
      ok: false,
      error: expect.stringContaining("not valid JSON") as string,
    });
  });

  it("formats values back into the text their control shows", () => {
    expect(formatValue(field(fields, "brokers"), ["a:1", "b:2"])).toBe("a:1, b:2");
    expect(formatValue(field(fields, "compression"), "gzip")).toBe('"gzip"');
    expect(formatValue(field(fields, "count"), null)).toBe("");
    expect(formatValue(field(fields, "template"), { n: 1 })).toBe('{\n  "n": 1\n}');
    const text = formatValue(field(fields, "acks"), 1);
    expect(parseField(field(fields, "acks"), text)).toEqual({ ok: true, value: 1 });
  });
});
