// The "Test connection" probe of a schema-registry profile, against the stand-in registry (no
// real registry installs here; see @weir/schema-registry's README).
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import { probeRegistry } from "./probe";

const auth = { kind: "basic" as const, username: "weir", password: "s3cret" };
let registry: StandInRegistry;
beforeAll(async () => {
  registry = await startStandInRegistry({ basicAuth: auth });
  await new RegistryClient({ url: registry.url, auth }).register("orders-value", {
    schemaType: "AVRO",
    schema: '"string"',
    references: [],
  });
});
afterAll(() => registry.close());

describe("probeRegistry", () => {
  it("lists the subjects", async () => {
    expect(await probeRegistry({ url: registry.url, auth }, { timeoutMs: 2000 })).toMatchObject({
      ok: true,
      subjects: ["orders-value"],
    });
  });

  it("says auth, unreachable or tls", async () => {
    expect(
      await probeRegistry({ url: registry.url, auth: { ...auth, password: "no" } }, { timeoutMs: 2000 }),
    ).toMatchObject({
      ok: false,
      failure: "auth",
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(
      await probeRegistry({ url: `http://127.0.0.1:${String(port)}` }, { timeoutMs: 2000 }),
    ).toMatchObject({
      ok: false,
      failure: "unreachable",
    });
    // https to a plain-http server: the TLS handshake fails.
    expect(
      await probeRegistry({ url: registry.url.replace("http:", "https:") }, { timeoutMs: 2000 }),
    ).toMatchObject({
      ok: false,
      failure: "tls",
    });
  });
});
