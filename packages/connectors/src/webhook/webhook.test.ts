import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhookSinkConfigSchema } from "./definition";
import { webhookSink } from "./sink";
import { DeliveryError } from "../plugin";
import { fakeSinkContext } from "../test-contexts";
import { configureOutboundPolicy, parseAllowList } from "../net-policy";

const record = { key: "k", value: { n: 1 }, headers: {}, timestamp: 1 };
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A real HTTP server on loopback answering with the given statuses in turn. */
async function serverAnswering(statuses: number[]): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe("webhook sink", () => {
  // The test servers listen on loopback, which the outbound policy refuses unless allowed.
  beforeAll(() => {
    configureOutboundPolicy({ allow: parseAllowList("127.0.0.1") });
  });
  afterAll(() => {
    configureOutboundPolicy({ allow: [] });
  });

  it("POSTs the record as JSON", async () => {
    const server = await serverAnswering([200]);
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url }),
      fakeSinkContext(),
    );
    await sink.write(record);
    expect(server.bodies.map((b) => JSON.parse(b) as unknown)).toEqual([record]);
  });

  it("retries server errors with backoff and then succeeds", async () => {
    const server = await serverAnswering([500, 503, 200]);
    const ctx = fakeSinkContext();
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url, backoffMs: 1 }),
      ctx,
    );
    await sink.write(record);
    expect(server.bodies).toHaveLength(3);
    expect(ctx.warnings).toHaveLength(2);
  });

  it("gives up after maxAttempts with a DeliveryError that counts them", async () => {
    const server = await serverAnswering([500, 500, 500]);
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url, backoffMs: 1, maxAttempts: 3 }),
      fakeSinkContext(),
    );
    const error: unknown = await sink.write(record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).attempts).toBe(3);
    expect((error as DeliveryError).message).toContain("answered 500 (after 3 attempts)");
  });

  it("does not retry a client error", async () => {
    const server = await serverAnswering([400]);
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url, backoffMs: 1 }),
      fakeSinkContext(),
    );
    await expect(sink.write(record)).rejects.toThrow("answered 400");
    expect(server.bodies).toHaveLength(1);
  });

  it("rejects a config without an http URL", () => {
    expect(webhookSinkConfigSchema.safeParse({ url: "ftp://x" }).success).toBe(false);
  });
});

// Regression, issue 10 finding 5: webhook sinks could target cloud metadata and the engine itself.
describe("webhook sink under the default outbound policy", () => {
  beforeAll(() => {
    configureOutboundPolicy({ allow: [] });
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local/metadata address"],
    ["http://2852039166/", "169.254.169.254 is a link-local/metadata address"],
    ["http://[fd00:ec2::254]/", "is a link-local/metadata address"],
    [
      "http://metadata.google.internal/computeMetadata/v1/",
      "metadata.google.internal is a cloud metadata service",
    ],
    ["http://10.0.0.1/hook", "10.0.0.1 is a private address"],
  ])("refuses %s without retrying, saying why", async (url, reason) => {
    const ctx = fakeSinkContext();
    const sink = await webhookSink.open(webhookSinkConfigSchema.parse({ url, backoffMs: 1 }), ctx);
    const error: unknown = await sink.write(record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).attempts).toBe(1);
    expect((error as DeliveryError).message).toContain(reason);
    expect((error as DeliveryError).message).toContain("allow it with WEIR_OUTBOUND_ALLOW");
    await sink.close();
  });

  it("checks the address a name resolves to when connecting, and sends nothing", async () => {
    const server = await serverAnswering([200]);
    const url = server.url.replace("127.0.0.1", "localhost");
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url, backoffMs: 1 }),
      fakeSinkContext(),
    );
    await expect(sink.write(record)).rejects.toThrow(
      /webhook target localhost \((127\.0\.0\.1|::1)\) is a loopback address/,
    );
    expect(server.bodies).toHaveLength(0);
    await sink.close();
  });

  it("refuses the engine's own ingest even when loopback is allowed, unless its port is", async () => {
    const server = await serverAnswering([200, 200]);
    const port = Number(new URL(server.url).port);
    const self = { ports: [port], hosts: ["127.0.0.1"] };
    configureOutboundPolicy({ allow: parseAllowList("127.0.0.0/8"), self });
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url }),
      fakeSinkContext(),
    );
    await expect(sink.write(record)).rejects.toThrow("this engine's own ingest");
    configureOutboundPolicy({ allow: parseAllowList(`127.0.0.1:${port}`), self });
    await sink.write(record);
    expect(server.bodies).toHaveLength(1);
    await sink.close();
  });

  it("does not follow a redirect", async () => {
    configureOutboundPolicy({ allow: parseAllowList("127.0.0.1") });
    const server = await serverAnswering([302]);
    const sink = await webhookSink.open(
      webhookSinkConfigSchema.parse({ url: server.url }),
      fakeSinkContext(),
    );
    await expect(sink.write(record)).rejects.toThrow("redirects are not followed");
    await sink.close();
  });
});
