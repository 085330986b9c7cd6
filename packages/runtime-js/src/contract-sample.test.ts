import { describe, expect, it } from "vitest";
import { CONTRACT_SAMPLE } from "@weir/function-contract";
import { createMemoryHost } from "@weir/runtime-conformance";
import { jsRuntime } from "./index";

describe("the contract's declarations", () => {
  it("describe code the runtime accepts and runs", async () => {
    await expect(jsRuntime.check({ code: CONTRACT_SAMPLE, language: "typescript" })).resolves.toEqual([]);
    const host = createMemoryHost({ secrets: { TOKEN: "t" } });
    const instance = await jsRuntime.createInstance(
      {
        nodeId: "fn",
        code: CONTRACT_SAMPLE,
        language: "typescript",
        params: { threshold: 10 },
        ports: ["out", "alerts"],
        timeoutMs: 1_000,
        memoryLimitMb: 32,
      },
      host,
    );
    const order = { id: "o1", items: [{ price: 4, qty: 3 }] };
    const [outcome] = await instance.process([{ key: "o1", value: order, headers: {}, timestamp: 1 }]);
    await instance.close();
    expect(outcome).toEqual({
      ok: true,
      outputs: [
        { port: "alerts", record: { key: "o1", value: { id: "o1", total: 12 }, headers: {}, timestamp: 1 } },
        {
          port: "out",
          record: {
            key: "o1",
            value: { id: "o1", total: 12, seen: 1, token: "t" },
            headers: { checked: "yes" },
            timestamp: 1,
          },
        },
      ],
    });
  });
});
