// Weir's registry client, decoder and encoder against a REAL registry: Apicurio Registry through
// its Confluent-compatible API (scripts/apicurio.sh), not the stand-in. Avro, Protobuf and JSON
// Schema round trips, a compatible new version mid-stream, an incompatible one refused, and the
// reasons a record does not decode. Opt-in (`npm run test:apicurio -w @weir/connectors`): the
// registry's build needs modules Maven Central does not serve (scripts/apicurio/README.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RegistryClient,
  RegistryDecoder,
  SchemaCompatibilityError,
  frame,
  openEncoder,
} from "@weir/schema-registry";
import { startApicurio } from "@weir/testkit/apicurio";
import type { ApicurioHandle } from "@weir/testkit/apicurio";

const userV1 = JSON.stringify({ type: "record", name: "User", fields: [{ name: "name", type: "string" }] });
const userV2 = JSON.stringify({
  type: "record",
  name: "User",
  fields: [
    { name: "name", type: "string" },
    { name: "age", type: ["null", "int"], default: null },
  ],
});
// Adds a field without a default: records written with v2 cannot be read with it (BACKWARD).
const userIncompatible = JSON.stringify({
  type: "record",
  name: "User",
  fields: [
    { name: "name", type: "string" },
    { name: "email", type: "string" },
  ],
});
const order = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
message Order {
  string sku = 1;
  int64 quantity = 2;
  google.protobuf.Timestamp placed = 3;
}
`;
const reading = JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: { sensor: { type: "string" }, celsius: { type: "number" } },
  required: ["sensor", "celsius"],
  additionalProperties: false,
});

let registry: ApicurioHandle;
let client: RegistryClient;
beforeAll(async () => {
  registry = await startApicurio();
  client = new RegistryClient({ url: registry.url });
  // Apicurio checks nothing until a rule is set; Confluent's default level is BACKWARD.
  const set = await fetch(`${registry.url}/config`, {
    method: "PUT",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ compatibility: "BACKWARD" }),
  });
  expect(set.status).toBe(200);
}, 600_000);
afterAll(async () => {
  await registry.stop();
});

describe("registry client against Apicurio Registry", () => {
  it("Avro: registers, encodes, fetches the schema by id and decodes", async () => {
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userV1,
      autoRegister: true,
    });
    expect(encoder.subject).toBe("users-value");
    expect(await client.subjects()).toContain("users-value");
    const bytes = encoder.encode({ name: "Ada" });
    expect(bytes.readUInt32BE(1)).toBe(encoder.schemaId);
    // A fresh client: the schema comes from the registry by id, not from the encoder's cache.
    const decoder = new RegistryDecoder(new RegistryClient({ url: registry.url }));
    expect(await decoder.decode(bytes)).toEqual({
      ok: true,
      value: { name: "Ada" },
      schemaId: encoder.schemaId,
    });
    // Registering the same schema again finds it: same id, no new version.
    const again = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userV1,
      autoRegister: false,
    });
    expect(again.schemaId).toBe(encoder.schemaId);
  });

  it("Avro: a compatible new version mid-stream; old and new records both decode", async () => {
    const old = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userV1,
      autoRegister: true,
    });
    const next = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userV2,
      autoRegister: true,
    });
    expect(next.schemaId).not.toBe(old.schemaId);
    const decoder = new RegistryDecoder(new RegistryClient({ url: registry.url }));
    const records = [old.encode({ name: "a" }), next.encode({ name: "b", age: 3 })];
    await decoder.prepare(records);
    expect(records.map((r) => decoder.decodeSync(r))).toEqual([
      { ok: true, value: { name: "a" }, schemaId: old.schemaId },
      { ok: true, value: { name: "b", age: 3 }, schemaId: next.schemaId },
    ]);
    const latest = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      autoRegister: false,
    });
    expect(latest.schemaId).toBe(next.schemaId);
  });

  it("Avro: refuses an incompatible schema before any record is written", async () => {
    const opening = openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userIncompatible,
      autoRegister: true,
    });
    await expect(opening).rejects.toBeInstanceOf(SchemaCompatibilityError);
    await expect(opening).rejects.toThrow(/not compatible with the latest version of subject 'users-value'/);
    const versions: unknown = await (await fetch(`${registry.url}/subjects/users-value/versions`)).json();
    expect(versions).toEqual([1, 2]);
  });

  it("Protobuf: registers .proto text with a well-known import, round-trips through the registry", async () => {
    const encoder = await openEncoder(client, {
      format: "protobuf",
      topic: "orders",
      strategy: "topic-name",
      schema: order,
      autoRegister: true,
    });
    const value = { sku: "A-1", quantity: "9007199254740993", placed: "2026-11-30T12:00:00.250Z" };
    const bytes = encoder.encode(value);
    const decoder = new RegistryDecoder(new RegistryClient({ url: registry.url }));
    expect(await decoder.decode(bytes)).toEqual({ ok: true, value, schemaId: encoder.schemaId });
  });

  it("JSON Schema: validates on encode, round-trips through the registry", async () => {
    const encoder = await openEncoder(client, {
      format: "json-schema",
      topic: "readings",
      strategy: "topic-name",
      schema: reading,
      autoRegister: true,
    });
    const bytes = encoder.encode({ sensor: "s1", celsius: 21.5 });
    const decoder = new RegistryDecoder(new RegistryClient({ url: registry.url }));
    expect(await decoder.decode(bytes)).toEqual({
      ok: true,
      value: { sensor: "s1", celsius: 21.5 },
      schemaId: encoder.schemaId,
    });
    expect(() => encoder.encode({ sensor: "s1", celsius: "warm" })).toThrow(/celsius/);
  });

  it("says why a record does not decode: unknown schema id, corrupted payload", async () => {
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: userV1,
      autoRegister: true,
    });
    const unknown = frame(99_999, Buffer.from([2, 0x41]));
    const corrupted = frame(encoder.schemaId, Buffer.from([0x7f]));
    const decoder = new RegistryDecoder(new RegistryClient({ url: registry.url }));
    await decoder.prepare([unknown, corrupted]);
    expect(decoder.decodeSync(unknown)).toEqual({
      ok: false,
      error: expect.stringMatching(/^schema id 99999 is not in the registry/) as unknown,
    });
    expect(decoder.decodeSync(corrupted)).toEqual({
      ok: false,
      error: expect.stringMatching(/^payload does not decode with schema id \d+: /) as unknown,
    });
  });
});
