import { describe, expect, it } from "vitest";
import { edgeTopic, nodeGroup } from "./names";
import { decodeRecord, encodeRecord } from "./record-codec";

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
    const message = encodeRecord(record);
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
});
