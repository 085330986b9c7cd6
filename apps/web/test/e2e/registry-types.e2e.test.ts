// Issue #19, typed end to end, as a person sees it: a Kafka source reading registry-encoded values
// shows the type its subject gives it (subject, version, fields), and the function it feeds gets
// `record.value` typed from that subject in Monaco (the completion list offers the Avro fields as
// `record.value.` is typed). Once the registry has stopped, a save still goes through, with a note
// in the Problems tab saying which port went unchecked and why, and the source says why it is
// untyped. The registry is the stand-in of @weir/schema-registry (no real registry installs here;
// that package's README says what was tried).
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, connect, createFlow, dropFromPalette, typeInto } from "./editor-actions";

const b = useBrowser();
let registry: StandInRegistry | undefined;
const PROFILE = "e2e-types-registry";
const TOPIC = "e2e-typed-orders";

beforeAll(async () => {
  registry = await startStandInRegistry();
  await new RegistryClient({ url: registry.url }).register(`${TOPIC}-value`, {
    schemaType: "AVRO",
    schema: JSON.stringify({
      type: "record",
      name: "Order",
      namespace: "shop",
      fields: [
        { name: "orderId", type: "string" },
        { name: "amount", type: "double" },
        { name: "customer", type: "string" },
      ],
    }),
    references: [],
  });
  // Setup the story is not about (the connections page test makes a profile by hand).
  await b.api(
    "connections.set",
    { name: PROFILE, kind: "schema-registry", config: { url: registry.url } },
    "POST",
  );
});
afterAll(async () => {
  await registry?.close();
});

describe("types from a schema registry in the editor", () => {
  it("types record.value from the source's Avro subject, and notes a stopped registry at save", async () => {
    const page = b.page;
    await createFlow(page, b.url, "e2e registry types");
    const source = await dropFromPalette(page, "kafka-source", 130, 260);
    const fn = await dropFromPalette(page, "function", 540, 260);

    // The source, key by key: brokers, topic, registry-encoded values, the registry profile.
    await byTestId(page, `node-${source}`).click();
    await typeInto(page, "field-brokers", "localhost:9092");
    await typeInto(page, "field-topics", TOPIC);
    await byTestId(page, "field-valueFormat").selectOption(JSON.stringify("registry"));
    await typeInto(page, "field-registry", PROFILE);
    const subject = byTestId(page, "registry-type-subject");
    await expect
      .poll(async () => ((await subject.count()) > 0 ? ((await subject.textContent()) ?? "") : ""), {
        timeout: 15_000,
        message: "the source shows the type of its subject",
      })
      .toContain(`subject ${TOPIC}-value · version 1`);
    expect(await subject.textContent()).toContain("AVRO");
    const fields = (await byTestId(page, "registry-type-fields").textContent()) ?? "";
    expect(fields).toContain("orderId");
    expect(fields).toContain("amount");
    expect(fields).toContain("number");
    await b.shot("registry-type");

    // Drawn by dragging; the function's Code tab says where record.value's type comes from.
    await connect(page, source, "out", fn);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "inspector-tab-code").click();
    await expect
      .poll(
        async () => {
          const hint = byTestId(page, "derived-input-type");
          return (await hint.count()) > 0 ? ((await hint.textContent()) ?? "") : "";
        },
        { timeout: 15_000 },
      )
      .toContain(`the schema registry subject '${TOPIC}-value' v1`);

    // Monaco: typing `record.value.` offers the subject's fields.
    const editor = byTestId(page, "code-editor").locator(".monaco-editor");
    await editor.locator(".view-lines").click();
    await page.keyboard.press("ControlOrMeta+End");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowUp");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("const who = record.value.", { delay: 20 });
    const suggestions = page.locator(".monaco-editor .suggest-widget.visible");
    await expect
      .poll(async () => ((await suggestions.count()) > 0 ? ((await suggestions.textContent()) ?? "") : ""), {
        timeout: 15_000,
        message: "Monaco suggests the Avro subject's fields after `record.value.`",
      })
      .toContain("orderId");
    expect(await suggestions.textContent()).toContain("customer");
    await b.shot("registry-record-value-completion");
    await page.keyboard.press("Escape");
    await page.keyboard.type("customer;", { delay: 20 });

    // Saved while the registry answers: no notes.
    await byTestId(page, "save-button").click();
    await expect
      .poll(async () => (await byTestId(page, "toast-success").allTextContents()).join(" | "), {
        timeout: 15_000,
      })
      .toContain("Saved as v2");
    expect((await byTestId(page, "toast-success").allTextContents()).join(" ")).not.toContain("note");
    await byTestId(page, "tab-problems").click();
    expect(await byTestId(page, "problems-panel").textContent()).toContain("No problems");

    // The registry stops. The next save still goes through, with a note naming the source.
    await registry?.close();
    registry = undefined;
    await byTestId(page, `node-${source}`).click();
    await typeInto(page, "inspector-node-name", "orders");
    await byTestId(page, "save-button").click();
    await expect
      .poll(async () => (await byTestId(page, "toast-success").allTextContents()).join(" | "), {
        timeout: 15_000,
      })
      .toContain("Saved as v3 (1 note in Problems)");
    const note = byTestId(page, "note-0");
    await expect
      .poll(async () => ((await note.count()) > 0 ? ((await note.textContent()) ?? "") : ""), {
        timeout: 15_000,
        message: "the save's note about the stopped registry is listed in Problems",
      })
      .toContain(`the schema registry '${PROFILE}' could not be reached`);
    expect(await byTestId(page, "note-0-kind").textContent()).toBe("note");
    expect(await byTestId(page, "note-0-where").textContent()).toBe("orders › registry");
    expect(await byTestId(page, "note-0-where").getAttribute("title")).toBe("nodes[0].config.registry");
    expect(await byTestId(page, "problem-0").count(), "a note is not a problem").toBe(0);
    expect(await byTestId(page, `node-${source}`).getAttribute("data-problems")).toBe("0");
    // The source says why it is untyped now.
    await expect
      .poll(
        async () => {
          const none = byTestId(page, "registry-type-none");
          return (await none.count()) > 0 ? ((await none.textContent()) ?? "") : "";
        },
        { timeout: 15_000 },
      )
      .toContain(`the schema registry '${PROFILE}' could not be reached`);
    await byTestId(page, "registry-type").scrollIntoViewIfNeeded();
    await b.shot("registry-stopped-note");
  });
});
