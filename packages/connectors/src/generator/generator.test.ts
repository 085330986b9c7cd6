import { describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { generatorConfigSchema } from "./definition";
import { generatorSource } from "./source";
import { renderTemplate } from "./template";
import { fakeSourceContext } from "../test-contexts";

describe("renderTemplate", () => {
  it("turns an exact {{seq}} into a number and substitutes inside text", () => {
    const now = new Date("2026-01-02T03:04:05.000Z");
    expect(
      renderTemplate({ n: "{{seq}}", label: "item-{{seq}}", at: "{{now}}", list: ["{{seq}}", 1] }, 7, now),
    ).toEqual({
      n: 7,
      label: "item-7",
      at: "2026-01-02T03:04:05.000Z",
      list: [7, 1],
    });
  });
});

describe("generator source", () => {
  it("emits `count` records with sequence numbers, then saves its position", async () => {
    const ctx = fakeSourceContext();
    const config = generatorConfigSchema.parse({
      intervalMs: 0,
      count: 600,
      template: { n: "{{seq}}" },
      key: "k{{seq}}",
    });
    await generatorSource.run(config, ctx);
    expect(ctx.emitted).toHaveLength(600);
    expect(ctx.emitted[0]).toMatchObject({ key: "k0", value: { n: 0 } });
    expect(ctx.emitted.map((r: WeirRecord) => (r.value as { n: number }).n)).toEqual([...Array(600).keys()]);
    expect(ctx.saved.at(-1)).toEqual({ next: 600 });
  });

  it("continues from a saved checkpoint and counts the total across restarts", async () => {
    const ctx = fakeSourceContext({ next: 8 } satisfies JsonValue);
    await generatorSource.run(generatorConfigSchema.parse({ intervalMs: 0, count: 10 }), ctx);
    expect(ctx.emitted.map((r) => r.value)).toEqual([{ seq: 8 }, { seq: 9 }]);
  });

  it("stops an unbounded stream when the signal aborts", async () => {
    const ctx = fakeSourceContext();
    const run = generatorSource.run(generatorConfigSchema.parse({ intervalMs: 5 }), ctx);
    await new Promise((resolve) => setTimeout(resolve, 60));
    ctx.abort();
    await run;
    const count = ctx.emitted.length;
    expect(count).toBeGreaterThan(1);
    expect(ctx.saved.at(-1)).toEqual({ next: count });
  });
});
