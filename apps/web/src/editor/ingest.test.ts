import { describe, expect, it } from "vitest";
import { ingestUrl } from "./ingest";

describe("ingestUrl", () => {
  it("joins the engine's URL, the flow and the node", () => {
    expect(ingestUrl("http://10.0.0.5:8081/", "f1", "in")).toBe("http://10.0.0.5:8081/ingest/f1/in");
    expect(ingestUrl("https://weir.example/engine", "f1", "a b")).toBe(
      "https://weir.example/engine/ingest/f1/a%20b",
    );
  });
});
