// The in-process transport cannot keep exactly-once (a crash loses its queues): it refuses it.
import { describe, expect, it } from "vitest";
import { flowSpecSchema } from "@weir/domain";
import { InProcessTransport } from "./in-process";

const spec = (delivery?: "exactly-once" | "at-least-once") =>
  flowSpecSchema.parse({ name: "f", nodes: [], edges: [], ...(delivery ? { delivery } : {}) });

describe("in-process transport and delivery", () => {
  it("refuses exactly-once with the reason and what to do", async () => {
    await expect(new InProcessTransport(spec("exactly-once"), 10).prepare()).rejects.toThrow(
      /delivery "exactly-once" needs the Kafka transport \(WEIR_TRANSPORT=kafka\)/,
    );
  });

  it("runs at-least-once, stated or not", async () => {
    await expect(new InProcessTransport(spec("at-least-once"), 10).prepare()).resolves.toBeUndefined();
    await expect(new InProcessTransport(spec(), 10).prepare()).resolves.toBeUndefined();
  });
});
