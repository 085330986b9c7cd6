import { describe, expect, it } from "vitest";
import { recordsFromBody } from "./parse";
import { httpIngestSource } from "./source";
import { fakeSourceContext } from "../test-contexts";
import { ByteBody } from "../byte-stream/byte-body";

describe("recordsFromBody", () => {
  it("takes a single JSON value as one record", () => {
    expect(recordsFromBody({ temp: 21 }, 5)).toEqual([
      { key: null, value: { temp: 21 }, headers: {}, timestamp: 5 },
    ]);
  });

  it("takes an array as many records and honours envelopes", () => {
    const records = recordsFromBody(
      [1, { value: { a: 1 }, key: "k", headers: { h: "v" } }, { value: 2, extra: true }],
      9,
    );
    expect(records).toEqual([
      { key: null, value: 1, headers: {}, timestamp: 9 },
      { key: "k", value: { a: 1 }, headers: { h: "v" }, timestamp: 9 },
      { key: null, value: { value: 2, extra: true }, headers: {}, timestamp: 9 },
    ]);
  });

  // Regression (issue 10): zod's record schema rebuilt each object by assignment, so a "__proto__"
  // key, which JSON.parse keeps as an own property, silently vanished at ingest.
  it("keeps __proto__ keys of the posted JSON, in a bare value and in an envelope", () => {
    const body = JSON.parse(
      '[{"__proto__":{"a":1},"b":[{"__proto__":null}]},{"value":{"__proto__":"x"},"key":"k"}]',
    ) as unknown;
    const records = recordsFromBody(body, 1);
    expect(records.map((record) => JSON.stringify(record.value))).toEqual([
      '{"__proto__":{"a":1},"b":[{"__proto__":null}]}',
      '{"__proto__":"x"}',
    ]);
  });
});

describe("http ingest source", () => {
  it("registers a handler that emits the posted records and counts them", async () => {
    const ctx = fakeSourceContext();
    const options: unknown[] = [];
    const serve = ctx.serveIngest.bind(ctx);
    ctx.serveIngest = (handler, given) => {
      options.push(given);
      serve(handler, given);
    };
    const run = httpIngestSource.run({ maxBodyBytes: 1024, public: false, chunkBytes: 4 }, ctx);
    expect(ctx.ingest).toBeDefined();
    // The engine is told to check the node's token (the node is not public).
    expect(options).toEqual([{ maxBodyBytes: 1024, public: false }]);
    await expect(ctx.ingest?.([{ a: 1 }, { a: 2 }])).resolves.toEqual({ accepted: 2 });
    expect(ctx.emitted.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    ctx.abort();
    await run;
  });

  it("emits an octet-stream body as ordered chunk records of one stream id, counting them", async () => {
    const ctx = fakeSourceContext();
    const run = httpIngestSource.run({ maxBodyBytes: 1024, public: true, chunkBytes: 4 }, ctx);
    async function* body(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      yield Uint8Array.from([1, 2, 3]);
      yield Uint8Array.from([4, 5, 6, 7, 8, 9]);
    }
    await expect(ctx.ingest?.(new ByteBody(body(), "application/octet-stream"))).resolves.toEqual({
      accepted: 3,
    });
    expect(ctx.emitted.map((r) => [...(r.value as Uint8Array)])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(ctx.emitted.map((r) => r.headers["weir-stream-offset"])).toEqual(["0", "4", "8"]);
    expect(new Set(ctx.emitted.map((r) => r.key)).size).toBe(1);
    ctx.abort();
    await run;
  });
});
