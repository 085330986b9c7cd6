import { describe, expect, it } from "vitest";
import { edgeTopic, nodeGroup } from "./names";
import { decodeFrame, decodeRecord, encodeRecord, frameOf } from "./record-codec";
import { ValueReassembler } from "../values/value-reassembler";

const flowId = "0b7c6f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f";

describe("transport names", () => {
  it("put flow and version in every topic and group, so versions never share one", () => {
    expect(edgeTopic({ flowId, version: 3 }, "e1")).toBe(`weir.${flowId}.v3.e1`);
    expect(edgeTopic({ flowId, version: 4 }, "e1")).not.toBe(edgeTopic({ flowId, version: 3 }, "e1"));
    expect(nodeGroup({ flowId, version: 3 }, "fn")).toBe(`weir.${flowId}.v3.fn`);
  });
});

describe("record codec", () => {
  it("round-trips key, value, headers and timestamp", () => {
    const record = { key: "k", value: { n: 1, s: "é" }, headers: { trace: "t" }, timestamp: 1700000000123 };
    const [message, ...more] = encodeRecord(record);
    expect(more).toEqual([]);
    if (!message) throw new Error("no message");
    expect(
      decodeRecord({
        key: Buffer.from(String(message.key)),
        value: Buffer.from(String(message.value)),
        headers: { trace: Buffer.from("t") },
        timestamp: String(message.timestamp),
      }),
    ).toEqual(record);
  });

  it("refuses a message that is not JSON, saying so", () => {
    expect(() => decodeRecord({ key: null, value: Buffer.from("{nope"), timestamp: "0" })).toThrow(
      /not a Weir record \(bad JSON value/,
    );
  });

  it("splits a value above the chunk limit into messages of the limit, decoded whole once put back together", () => {
    const value = new Uint8Array(2500).map((_, i) => (i * 31) & 0xff);
    const record = { key: "k", value, headers: { trace: "t" }, timestamp: 7 };
    const messages = encodeRecord(record, 1000);
    expect(messages.map((m) => (m.value as Buffer).byteLength)).toEqual([1000, 1000, 500]);
    expect(new Set(messages.map((m) => m.key))).toEqual(new Set(["k"]));
    const reader = new ValueReassembler<number>(10_000);
    const out = messages.map((m, i) =>
      reader.accept(
        frameOf({
          key: Buffer.from("k"),
          value: m.value as Buffer,
          headers: m.headers,
          timestamp: "7",
        }),
        i,
      ),
    );
    const last = out.at(-1);
    if (last?.kind !== "whole") throw new Error(`expected the value whole, got ${String(last?.kind)}`);
    expect(decodeFrame(last.message)).toEqual(record);
    // A JSON value is measured in UTF-8 bytes and split the same way.
    const text = encodeRecord({ ...record, value: "é".repeat(600) }, 1000);
    expect(text).toHaveLength(2);
  });
});
