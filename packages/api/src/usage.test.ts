import { describe, expect, it } from "vitest";
import { usageOf } from "./usage";

const a = { id: "a", name: "orders" };
const b = { id: "b", name: "billing" };

describe("usageOf", () => {
  it("maps each secret, connection and artifact a node names to the flows naming it, each flow once", () => {
    const usage = usageOf([
      {
        flow: a,
        spec: {
          nodes: [
            { config: { secrets: ["API_KEY", "TOKEN"] } },
            { config: { secrets: ["API_KEY"], artifact: "f".repeat(64) } },
            { config: { connection: "prod" } },
          ],
        },
      },
      { flow: a, spec: { nodes: [{ config: { secrets: ["OLD"] } }] } },
      { flow: b, spec: { nodes: [{ config: { secrets: ["API_KEY"], connection: "prod" } }] } },
    ]);
    expect(usage.secrets.get("API_KEY")).toEqual([a, b]);
    expect(usage.secrets.get("TOKEN")).toEqual([a]);
    expect(usage.secrets.get("OLD")).toEqual([a]);
    expect(usage.connections.get("prod")).toEqual([a, b]);
    expect(usage.artifacts.get("f".repeat(64))).toEqual([a]);
    expect(usage.secrets.has("prod")).toBe(false);
  });

  it("ignores nodes without config and values of the wrong type", () => {
    const usage = usageOf([
      { flow: a, spec: { nodes: [{}, { config: null }, { config: { secrets: "X", connection: 3 } }] } },
      { flow: b, spec: null },
    ]);
    expect(usage.secrets.size + usage.connections.size + usage.artifacts.size).toBe(0);
  });
});
