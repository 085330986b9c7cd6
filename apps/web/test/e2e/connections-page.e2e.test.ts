// Issue 18: a Kafka connection profile made in the browser, and its Test connection against
// the real test broker (topics listed), a port nothing listens on (unreachable) and TLS spoken
// to the plaintext listener (TLS failed). The form's own Test connection tries the values as
// typed, before anything is saved; a schema-registry profile is tested against the stand-in
// registry of @weir/schema-registry (no real registry installs here; see that package's README).
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
import { createKafkaTopic } from "@weir/testkit/kafka-topics";
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, typeInto } from "./editor-actions";

const b = useBrowser();
let brokers = "";
let kafka: KafkaHandle | undefined;
let registry: StandInRegistry | undefined;
const REGISTRY_AUTH = { kind: "basic" as const, username: "weir", password: "e2e-registry-pass" };

beforeAll(async () => {
  // An externally run broker (KAFKA_BROKERS) saves the JVM start, as in the other Kafka tests.
  if (process.env.KAFKA_BROKERS) brokers = process.env.KAFKA_BROKERS;
  else {
    kafka = await startKafka();
    brokers = kafka.brokers;
  }
  await createKafkaTopic(brokers, "e2e-orders");
  registry = await startStandInRegistry({ basicAuth: REGISTRY_AUTH });
  const client = new RegistryClient({ url: registry.url, auth: REGISTRY_AUTH });
  for (const subject of ["e2e-orders-value", "e2e-payments-value"])
    await client.register(subject, { schemaType: "AVRO", schema: '"string"', references: [] });
});
afterAll(async () => {
  await registry?.close();
  await kafka?.stop();
});

async function profileNames(): Promise<string[]> {
  return (await b.api<{ name: string }[]>("connections.list")).map((p) => p.name);
}

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

  it("tests a Kafka profile as typed, before saving: topics, then a wrong port; nothing is saved", async () => {
    const page = b.page;
    await page.goto(`${b.url}/connections`);
    await byTestId(page, "connection-new").click();
    await typeInto(page, "connection-name", "e2e-draft");
    await typeInto(page, "connection-brokers", brokers);
    await byTestId(page, "connection-draft-test").click();
    const result = byTestId(page, "connection-test-result-draft");
    await result.waitFor({ timeout: 15_000 });
    expect(await result.getAttribute("data-ok")).toBe("true");
    expect(await byTestId(page, "connection-topics-draft").textContent()).toContain("e2e-orders");
    await b.shot("draft connected with topics");

    // Typing again clears the result: it spoke of the values before.
    const wrong = `127.0.0.1:${String(await closedPort())}`;
    await typeInto(page, "connection-brokers", wrong);
    expect(await result.count()).toBe(0);
    await byTestId(page, "connection-draft-test").click();
    await expect.poll(() => result.getAttribute("data-failure"), { timeout: 15_000 }).toBe("unreachable");
    expect(await result.textContent()).toMatch(/^Unreachable: brokers unreachable: .*ECONNREFUSED/);
    await b.shot("draft wrong port unreachable");

    await byTestId(page, "connection-cancel").click();
    await byTestId(page, "connection-form").waitFor({ state: "detached" });
    expect(await byTestId(page, "connection-row-e2e-draft").count()).toBe(0);
    expect(await profileNames()).not.toContain("e2e-draft");
  });

  it("makes a schema-registry profile, tests it as typed and saved (subjects), and a wrong password (auth)", async () => {
    const page = b.page;
    const url = registry?.url ?? "";
    await page.goto(`${b.url}/connections`);
    await byTestId(page, "connection-new").click();
    await typeInto(page, "connection-name", "e2e-registry");
    await byTestId(page, "connection-kind").selectOption("schema-registry");
    await typeInto(page, "connection-url", url);
    await byTestId(page, "connection-registry-auth").selectOption("basic");
    await typeInto(page, "connection-username", REGISTRY_AUTH.username);
    await typeInto(page, "connection-password", "not-the-password");
    await byTestId(page, "connection-draft-test").click();
    const draft = byTestId(page, "connection-test-result-draft");
    await expect.poll(() => draft.getAttribute("data-failure"), { timeout: 15_000 }).toBe("auth");
    expect(await draft.textContent()).toMatch(/^Authentication failed: /);
    await b.shot("registry draft wrong password");
    expect(await profileNames()).not.toContain("e2e-registry");

    await typeInto(page, "connection-password", REGISTRY_AUTH.password);
    await byTestId(page, "connection-draft-test").click();
    await expect.poll(() => draft.getAttribute("data-ok"), { timeout: 15_000 }).toBe("true");
    expect(await byTestId(page, "connection-subjects-draft").textContent()).toBe(
      "e2e-orders-value, e2e-payments-value",
    );
    await byTestId(page, "connection-save").click();
    await byTestId(page, "connection-row-e2e-registry").waitFor();
    expect(await byTestId(page, "connection-brokers-e2e-registry").textContent()).toContain(url);

    // The saved profile's own Test button, with the stored (write-only) password.
    await byTestId(page, "connection-test-e2e-registry").click();
    const saved = byTestId(page, "connection-test-result-e2e-registry");
    await expect.poll(() => saved.getAttribute("data-ok"), { timeout: 15_000 }).toBe("true");
    expect(await byTestId(page, "connection-subjects-e2e-registry").textContent()).toBe(
      "e2e-orders-value, e2e-payments-value",
    );
    await b.shot("registry profile subjects");
  });
});
