import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue, WeirRecord } from "@weir/domain";
import { jsonTextOf } from "@weir/domain";
import { generatorConfigSchema } from "./definition";
import { CATCH_UP_MS, generatorSource, recordsDue } from "./source";
import { compileTemplate, compileTemplateText, compileText, renderTemplate } from "./template";
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

describe("compileTemplate", () => {
  const now = new Date("2026-01-02T03:04:05.000Z");

  it("fills every placeholder, in text and alone, and leaves other strings as they are", () => {
    const render = compileTemplate({
      a: ["x{{seq}}y{{seq}}", "{{now}}", "at {{now}} #{{seq}}", "{{seq", "plain"],
      n: { deep: "{{seq}}" },
      k: [true, null, 2.5],
    });
    expect(render(12, now)).toEqual({
      a: ["x12y12", "2026-01-02T03:04:05.000Z", "at 2026-01-02T03:04:05.000Z #12", "{{seq", "plain"],
      n: { deep: 12 },
      k: [true, null, 2.5],
    });
    expect(compileText("customer-{{seq}}")(3, now)).toBe("customer-3");
  });

  it("builds a fresh value per record, sharing no object or array between records", () => {
    const render = compileTemplate({ items: [{ sku: "A" }], tags: ["web"] });
    const first = render(1, now) as { items: { sku: string }[]; tags: string[] };
    const second = render(2, now) as { items: { sku: string }[]; tags: string[] };
    expect(second).toEqual(first);
    expect(second.items).not.toBe(first.items);
    expect(second.items[0]).not.toBe(first.items[0]);
    expect(second.tags).not.toBe(first.tags);
  });

  it("keeps a __proto__ key of the template as a plain field", () => {
    const template = JSON.parse('{"__proto__": {"polluted": "{{seq}}"}, "a": 1}') as JsonValue;
    const value = compileTemplate(template)(4, now) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":4},"a":1}');
  });

  it("formats the time of each new `now`", () => {
    const render = compileText("{{now}}");
    expect(render(0, now)).toBe("2026-01-02T03:04:05.000Z");
    expect(render(0, new Date("2027-01-01T00:00:00.000Z"))).toBe("2027-01-01T00:00:00.000Z");
  });
});

describe("compileTemplateText", () => {
  const now = new Date("2026-01-02T03:04:05.000Z");

  it("writes the JSON text of the filled template, an exact {{seq}} as a number", () => {
    const template = { a: ["x{{seq}}y", "{{now}}", "{{seq}}"], 'q"k': { deep: 2.5 }, t: [true, null] };
    expect(compileTemplateText(template)(12, now)).toBe(
      '{"a":["x12y","2026-01-02T03:04:05.000Z",12],"q\\"k":{"deep":2.5},"t":[true,null]}',
    );
    expect(compileTemplateText("plain")(1, now)).toBe('"plain"');
    expect(compileTemplateText("{{seq}}")(1, now)).toBe("1");
  });

  it("writes what JSON.stringify writes of compileTemplate's value, for any template (property)", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.constantFrom(
        "{{seq}}",
        "{{now}}",
        "id-{{seq}}",
        "{{now}}/{{seq}}!",
        "\ud800{{seq}}\udc00",
        '"{{seq}}\n',
      ),
    );
    const { template } = fc.letrec<{ template: JsonValue }>((tie) => ({
      template: fc.oneof(
        { depthSize: "small" },
        text,
        fc.double().map((n) => n as JsonValue),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("template"), { maxLength: 4 }),
        fc.dictionary(fc.oneof(text, fc.constant("__proto__")), tie("template"), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(template, fc.nat(), (t, seq) => {
        const parsed = JSON.parse(JSON.stringify(t)) as JsonValue;
        return compileTemplateText(parsed)(seq, now) === JSON.stringify(compileTemplate(parsed)(seq, now));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("generator source", () => {
  it("emits records whose value is still its JSON text, the filled template", async () => {
    const config = generatorConfigSchema.parse({
      intervalMs: 0,
      count: 2,
      template: { n: "{{seq}}", id: "o-{{seq}}" },
    });
    const ctx = fakeSourceContext();
    await generatorSource.run(config, ctx);
    expect(ctx.emitted.map((record) => jsonTextOf(record))).toEqual([
      '{"n":0,"id":"o-0"}',
      '{"n":1,"id":"o-1"}',
    ]);
    expect(ctx.emitted.map((record) => record.value)).toEqual([
      { n: 0, id: "o-0" },
      { n: 1, id: "o-1" },
    ]);
  });

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

  it("sends what a slow downstream held up as one batch and keeps its rate", async () => {
    // Each send takes 120 ms against an interval of 20 ms: sent one by one, about 8 would go out
    // in a second; owed records going out together keep the set 50 a second.
    const ctx = fakeSourceContext();
    const batches: number[] = [];
    ctx.emit = async (records) => {
      batches.push(records.length);
      ctx.emitted.push(...records);
      await new Promise((resolve) => setTimeout(resolve, 120));
    };
    const started = Date.now();
    const run = generatorSource.run(generatorConfigSchema.parse({ intervalMs: 20 }), ctx);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ctx.abort();
    await run;
    const elapsed = Date.now() - started;
    // Records due by the last send's start (it began at most one send's time before the end).
    expect(ctx.emitted.length).toBeGreaterThanOrEqual(Math.floor((elapsed - 2 * 120) / 20));
    expect(ctx.emitted.length).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(ctx.emitted.map((r) => (r.value as { seq: number }).seq)).toEqual([
      ...Array(ctx.emitted.length).keys(),
    ]);
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

describe("recordsDue", () => {
  it("is one on time, the records due since when late, capped at CATCH_UP_MS and 256", () => {
    expect(recordsDue(1000, 100, 900)).toBe(1);
    expect(recordsDue(1000, 100, 1000)).toBe(1);
    expect(recordsDue(1000, 100, 1099)).toBe(1);
    expect(recordsDue(1000, 100, 1100)).toBe(2);
    expect(recordsDue(1000, 100, 1450)).toBe(5);
    expect(recordsDue(1000, 100, 1000 + 60_000)).toBe(CATCH_UP_MS / 100);
    expect(recordsDue(0, 1, 60_000)).toBe(256);
    expect(recordsDue(0, 86_400_000, 5)).toBe(1);
  });
});
