// Issue 18: a Kafka connection profile made in the browser, and its Test connection against
// the real test broker (topics listed), a port nothing listens on (unreachable) and TLS spoken
// to the plaintext listener (TLS failed).
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
import { createKafkaTopic } from "@weir/testkit/kafka-topics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, typeInto } from "./editor-actions";

const b = useBrowser();
let brokers = "";
let kafka: KafkaHandle | undefined;

beforeAll(async () => {
  // An externally run broker (KAFKA_BROKERS) saves the JVM start, as in the other Kafka tests.
  if (process.env.KAFKA_BROKERS) brokers = process.env.KAFKA_BROKERS;
  else {
    kafka = await startKafka();
    brokers = kafka.brokers;
  }
  await createKafkaTopic(brokers, "e2e-orders");
});
afterAll(async () => {
  await kafka?.stop();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("connections page", () => {
  it("creates a Kafka profile and tests it: topics, then a wrong port, then TLS to a plaintext port", async () => {
    const page = b.page;
    await page.goto(b.url);
    await byTestId(page, "nav-connections").click();
    await page.waitForURL(/\/connections$/);
    await byTestId(page, "connections-empty").or(byTestId(page, "connections-list")).waitFor();

    await byTestId(page, "connection-new").click();
    await typeInto(page, "connection-name", "e2e-kafka");
    await typeInto(page, "connection-brokers", brokers);
    await b.shot("profile typed");
    await byTestId(page, "connection-save").click();
    await byTestId(page, "connection-row-e2e-kafka").waitFor();

    await byTestId(page, "connection-test-e2e-kafka").click();
    const result = byTestId(page, "connection-test-result-e2e-kafka");
    await result.waitFor({ timeout: 15_000 });
    expect(await result.getAttribute("data-ok")).toBe("true");
    expect(await byTestId(page, "connection-topics-e2e-kafka").textContent()).toContain("e2e-orders");
    await b.shot("connected with topics");

    const wrong = `127.0.0.1:${String(await closedPort())}`;
    await byTestId(page, "connection-edit-e2e-kafka").click();
    await typeInto(page, "connection-brokers", wrong);
    await byTestId(page, "connection-save").click();
    await byTestId(page, "connection-brokers-e2e-kafka").getByText(wrong).waitFor();
    await byTestId(page, "connection-test-e2e-kafka").click();
    await expect.poll(() => result.getAttribute("data-failure"), { timeout: 15_000 }).toBe("unreachable");
    expect(await result.textContent()).toMatch(/^Unreachable: brokers unreachable: .*ECONNREFUSED/);
    await b.shot("wrong port unreachable");

    await byTestId(page, "connection-edit-e2e-kafka").click();
    await typeInto(page, "connection-brokers", brokers);
    await byTestId(page, "connection-ssl").click();
    await byTestId(page, "connection-save").click();
    await byTestId(page, "connection-brokers-e2e-kafka").getByText(brokers).waitFor();
    await byTestId(page, "connection-test-e2e-kafka").click();
    await expect.poll(() => result.getAttribute("data-failure"), { timeout: 15_000 }).toBe("tls");
    expect(await result.textContent()).toMatch(/^TLS failed: /);
    await b.shot("TLS to plaintext fails");
  });
});
