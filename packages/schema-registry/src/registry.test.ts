// Client, decoder and encoder against the stand-in registry (src/testing/stand-in-registry.ts):
// a server implementing the documented subset of the Confluent API, not a real registry.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, RegistryError } from "./client";
import { RegistryDecoder, SchemaNotFetchedError } from "./decoder";
import { openEncoder } from "./encoder";
import { SchemaCompatibilityError } from "./errors";
import { frame } from "./wire";
import { startStandInRegistry } from "./testing/stand-in-registry";
import type { StandInRegistry } from "./testing/stand-in-registry";

const v1 = JSON.stringify({ type: "record", name: "User", fields: [{ name: "name", type: "string" }] });
const v2 = JSON.stringify({
  type: "record",
  name: "User",
  fields: [
    { name: "name", type: "string" },
    { name: "age", type: ["null", "int"], default: null },
  ],
});
// Adds a field without a default: data written with v2 cannot be read.
const incompatible = JSON.stringify({
  type: "record",
  name: "User",
  fields: [
    { name: "name", type: "string" },
    { name: "email", type: "string" },
  ],
});

describe("registry client, decoder and encoder", () => {
  let registry: StandInRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startStandInRegistry({ basicAuth: { username: "weir", password: "s3cret" } });
    client = new RegistryClient({
      url: registry.url,
      auth: { kind: "basic", username: "weir", password: "s3cret" },
    });
  });
  afterAll(() => registry.close());

  it("registers under the topic-name subject, encodes, and decodes by id (fetched once)", async () => {
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: v1,
      autoRegister: true,
    });
    expect(encoder.subject).toBe("users-value");
    expect(await client.subjects()).toEqual(["users-value"]);
    const decoder = new RegistryDecoder(client);
    const bytes = encoder.encode({ name: "Ada" });
    expect(bytes.readUInt32BE(1)).toBe(encoder.schemaId);
    expect(await decoder.decode(bytes)).toEqual({
      ok: true,
      value: { name: "Ada" },
      schemaId: encoder.schemaId,
    });
    await decoder.prepare([bytes, bytes]);
    expect(
      registry.requests.filter((r) => r === `GET /schemas/ids/${String(encoder.schemaId)}`),
    ).toHaveLength(1);
  });

  it("takes a compatible new version mid-stream; old and new records both decode", async () => {
    const old = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: v1,
      autoRegister: true,
    });
    const next = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: v2,
      autoRegister: true,
    });
    expect(next.schemaId).not.toBe(old.schemaId);
    const decoder = new RegistryDecoder(client);
    const records = [old.encode({ name: "a" }), next.encode({ name: "b", age: 3 })];
    await decoder.prepare(records);
    expect(records.map((r) => decoder.decodeSync(r))).toMatchObject([
      { ok: true, value: { name: "a" } },
      { ok: true, value: { name: "b", age: 3 } },
    ]);
    // Without a schema of its own, an encoder writes the subject's latest version.
    const latest = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      autoRegister: false,
    });
    expect(latest.schemaId).toBe(next.schemaId);
  });

  it("refuses an incompatible schema before any record is written", async () => {
    const opening = openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: incompatible,
      autoRegister: true,
    });
    await expect(opening).rejects.toBeInstanceOf(SchemaCompatibilityError);
    await expect(opening).rejects.toThrow(
      /not compatible with the latest version of subject 'users-value': .*email/,
    );
  });

  it("refuses an unregistered schema when registering is off", async () => {
    await expect(
      openEncoder(client, {
        format: "avro",
        topic: "fresh",
        strategy: "topic-name",
        schema: v1,
        autoRegister: false,
      }),
    ).rejects.toThrow(
      "the schema is not registered under subject 'fresh-value', and registering new versions is off",
    );
  });

  it("names the record under the record-name strategies", async () => {
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "t",
      strategy: "topic-record-name",
      schema: v1,
      autoRegister: true,
    });
    expect(encoder.subject).toBe("t-User");
  });

  it("says why a record does not decode: unknown id, not framed, corrupted payload", async () => {
    const decoder = new RegistryDecoder(client);
    const unknown = frame(9999, Buffer.from([2, 0x41]));
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: v1,
      autoRegister: true,
    });
    const corrupted = frame(encoder.schemaId, Buffer.from([0x7f]));
    await decoder.prepare([unknown, corrupted]);
    expect(decoder.decodeSync(unknown)).toEqual({
      ok: false,
      error: expect.stringMatching(/^schema id 9999 is not in the registry .*Schema not found/) as unknown,
    });
    expect(decoder.decodeSync(Buffer.from('{"a":1}'))).toEqual({
      ok: false,
      error: expect.stringMatching(/unknown magic byte 123/) as unknown,
    });
    expect(decoder.decodeSync(corrupted)).toEqual({
      ok: false,
      error: expect.stringMatching(/^payload does not decode with schema id \d+: /) as unknown,
    });
  });

  it("throws, and fetches meanwhile, for an id prepare did not see: a retry then decodes", async () => {
    const encoder = await openEncoder(client, {
      format: "avro",
      topic: "users",
      strategy: "topic-name",
      schema: v1,
      autoRegister: true,
    });
    const decoder = new RegistryDecoder(client);
    const bytes = encoder.encode({ name: "Ada" });
    expect(() => decoder.decodeSync(bytes)).toThrow(SchemaNotFetchedError);
    await expect
      .poll(() => decoder.decodeSync(bytes), { timeout: 5000 })
      .toMatchObject({ ok: true, value: { name: "Ada" } });
  });

  it("reports wrong credentials as a 401 with a hint, and an unreachable registry as no answer", async () => {
    const wrong = new RegistryClient({
      url: registry.url,
      auth: { kind: "basic", username: "weir", password: "nope" },
    });
    await expect(wrong.subjects()).rejects.toThrow(
      "answered 401: Unauthorized (check the profile's credentials)",
    );
    const decoder = new RegistryDecoder(new RegistryClient({ url: "http://127.0.0.1:9", timeoutMs: 2000 }));
    // Not a reason to dead-letter: the registry may come back, so prepare throws and the source retries.
    await expect(decoder.prepare([frame(1, Buffer.alloc(1))])).rejects.toBeInstanceOf(RegistryError);
  });
});

describe("registry client over TLS", () => {
  let registry: StandInRegistry;
  let ca: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-registry-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(join(dir, "cert.pem"), "utf8");
    registry = await startStandInRegistry({
      tls: { cert: ca, key: readFileSync(join(dir, "key.pem"), "utf8") },
    });
  });
  afterAll(() => registry.close());

  it("trusts the profile's CA and refuses a server it cannot verify", async () => {
    expect(await new RegistryClient({ url: registry.url, tls: { ca } }).subjects()).toEqual([]);
    await expect(new RegistryClient({ url: registry.url }).subjects()).rejects.toThrow(
      /self-signed certificate/,
    );
  });
});
