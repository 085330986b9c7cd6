import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { webhookSinkConfigSchema } from "./definition";
import { webhookSink } from "./sink";
import { DeliveryError } from "../plugin";
import { fakeSinkContext } from "../test-contexts";

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
