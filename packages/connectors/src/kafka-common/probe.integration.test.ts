// "Test connection" against the real test broker: it lists topics, and each way of getting a
// profile wrong (port, TLS, SASL) is named as such.
import { ephemeralPort } from "@weir/testkit/ports";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { probeKafka } from "./probe";
import { testBroker } from "./test-broker";
import type { TestBroker } from "./test-broker";

let broker: TestBroker;
beforeAll(async () => {
  broker = await testBroker(inject("kafkaBrokers"));
});
afterAll(async () => {
  await broker.close();
});

describe("probeKafka", () => {
  it("connects and lists the broker's topics", async () => {
    const topic = await broker.createTopic(1);
    const result = await probeKafka({ brokers: broker.brokers, ssl: false });
    expect(result).toMatchObject({ ok: true, brokers: 1 });
    if (!result.ok) throw new Error(result.message);
    expect(result.topics).toContain(topic);
    expect(result.topics.some((t) => t.startsWith("__"))).toBe(false);
  });

  it("names a port nothing listens on unreachable, within the timeout", async () => {
    const result = await probeKafka(
      { brokers: [`127.0.0.1:${String(await ephemeralPort())}`], ssl: false },
      { timeoutMs: 4_000 },
    );
    expect(result).toMatchObject({ ok: false, failure: "unreachable" });
    if (result.ok) throw new Error("connected");
    expect(result.message).toMatch(/^brokers unreachable: .*ECONNREFUSED/);
    expect(result.ms).toBeLessThan(4_500);
  });

  it("names TLS spoken to a plaintext listener a TLS failure", async () => {
    const result = await probeKafka({ brokers: broker.brokers, ssl: true }, { timeoutMs: 4_000 });
    expect(result).toMatchObject({ ok: false, failure: "tls" });
    expect(result.ms).toBeLessThan(4_500);
  });

  it("names SASL against a listener without it an authentication failure", async () => {
    const result = await probeKafka(
      { brokers: broker.brokers, ssl: false, sasl: { mechanism: "plain", username: "u", password: "p" } },
      { timeoutMs: 4_000 },
    );
    expect(result).toMatchObject({ ok: false, failure: "auth" });
    if (result.ok) throw new Error("connected");
    expect(result.message).not.toContain('p"');
  });
});
