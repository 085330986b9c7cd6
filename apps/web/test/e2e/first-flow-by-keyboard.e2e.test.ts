// Issue #11, part A: a first flow as a new user makes it, with the keyboard. http-ingest → a
// function routing to two named ports → two log sinks. The code is typed key by key (spaces,
// braces, Enter, an accepted suggestion) and tested; the ports are typed key by key in Settings
// and wired by dragging without a reload; the flow is deployed, the ingest URL read off the
// inspector and records POSTed to it; each sink's log shows its records, under its name.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  ACCEPT,
  byTestId,
  connect,
  createFlow,
  dropFromPalette,
  typeCode,
  typeInto,
  waitForDeployment,
} from "./editor-actions";

const b = useBrowser();

// Typed as written (Monaco indents and closes brackets itself); `⏎` accepts a suggestion (the
// contract's types, named in the signature, give Monaco ctx's members to suggest).
const TYPED = [
  "export default async (r: WeirRecord<{ n: number }>, ctx: Ctx) => {",
  "const n = Number(r.value.n);",
  `ctx.lo${ACCEPT}.info("routing " + n);`,
  "if (n > 10) {",
  'ctx.emit("big", r);',
  "} else {",
  'ctx.emit("small", r);',
  "}",
  "};",
].join("\n");
const MEANT = TYPED.replace(ACCEPT, "g");

describe("a first flow, typed", () => {
  it("types a routing function, tests it, wires two typed ports without reload, deploys and ingests", async () => {
    const page = b.page;
    const flowId = await createFlow(page, b.url, "e2e first flow typed");
    const ingest = await dropFromPalette(page, "http-ingest", 100, 170);
    const fn = await dropFromPalette(page, "function", 330, 170);
    const big = await dropFromPalette(page, "log", 560, 80);
    const small = await dropFromPalette(page, "log", 560, 300);

    for (const [id, name] of [
      [big, "big sink"],
      [small, "small sink"],
    ] as const) {
      await byTestId(page, `node-${id}`).click();
      await typeInto(page, "inspector-node-name", name);
    }

    // The code, key by key: before the fix every Space was swallowed by the canvas.
    await byTestId(page, `node-${fn}`).click();
    await typeCode(page, TYPED, MEANT);
    await b.shot("code typed");

    // Ports typed key by key, then wired at once: no save, no reload.
    await byTestId(page, "inspector-tab-settings").click();
    await typeInto(page, "field-outputs", "big, small");
    await byTestId(page, `node-${fn}-port-small`).waitFor();
    const edges = page.locator('[data-testid^="rf__edge-"]');
    await connect(page, ingest, "out", fn);
    await connect(page, fn, "big", big);
    await connect(page, fn, "small", small);
    await expect.poll(() => edges.count(), { message: "three edges drawn without a reload" }).toBe(3);
    expect(page.url()).toMatch(new RegExp(`/flows/${flowId}$`));
    await b.shot("wired");

    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{"value": {"n": 5}}, {"value": {"n": 50}}]');
    await byTestId(page, "test-run").click();
    await expect
      .poll(async () => (await byTestId(page, "test-output-0-small").textContent()) ?? "", {
        timeout: 15_000,
      })
      .toMatch(/"n":\s*5/);
    expect(await byTestId(page, "test-output-1-big").textContent()).toMatch(/"n":\s*50/);
    expect(await byTestId(page, "test-logs").textContent()).toContain("routing 50");
    await b.shot("tested");

    await typeInto(page, "save-message", "route by size");
    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await byTestId(page, "tab-versions").click();
    await expect.poll(() => byTestId(page, "version-message-2").textContent()).toBe("route by size");
    expect(await byTestId(page, "version-summary-2").textContent()).toBe("+4 nodes, +3 edges");
    expect(await byTestId(page, "version-message-1").textContent()).toBe("created");
    await b.shot("versions with messages");
    await byTestId(page, "deploy-button").click();
    await waitForDeployment(page, "running");

    await byTestId(page, `node-${ingest}`).click();
    const urlText = (await byTestId(page, "ingest-url").textContent()) ?? "";
    expect(urlText).toMatch(new RegExp(`^https?://.+/ingest/${flowId}/${ingest}$`));
    expect(await byTestId(page, "ingest-curl").textContent()).toContain(urlText);
    // The node is not public: POSTs need the token the inspector shows (and puts in the curl line).
    await expect
      .poll(async () => (await byTestId(page, "ingest-token").textContent()) ?? "")
      .toMatch(/^wit_/);
    const token = (await byTestId(page, "ingest-token").textContent()) ?? "";
    expect(await byTestId(page, "ingest-curl").textContent()).toContain(`authorization: Bearer ${token}`);
    await b.shot("ingest url");

    // The URL the page shows is the one that takes records.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(urlText, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify([{ n: 3 }, { n: 30 }, { n: 7 }]),
      });
      if (res.ok) break;
      if (Date.now() > deadline)
        throw new Error(`POST ${urlText}: ${String(res.status)} ${await res.text()}`);
      await page.waitForTimeout(250);
    }

    await byTestId(page, `node-${big}`).click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 15_000 }).toBe(1);
    expect(await byTestId(page, "logs-panel").textContent()).toMatch(/"n":30/);
    expect(await byTestId(page, "logs-node-label").textContent()).toContain("big sink");
    await b.shot("big sink log");

    await byTestId(page, `node-${small}`).click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 15_000 }).toBe(2);
    const smallLog = (await byTestId(page, "logs-panel").textContent()) ?? "";
    expect(smallLog).toMatch(/"n":3\b/);
    expect(smallLog).toMatch(/"n":7\b/);
    expect(await byTestId(page, "logs-node-label").textContent()).toContain("small sink");
    // A sink has no output: no "out" counter on it.
    await byTestId(page, `node-${small}-stats`).waitFor();
    expect(await byTestId(page, `node-${small}-stat-out`).count()).toBe(0);
    await b.shot("small sink log");

    await byTestId(page, "stop-button").click();
    await waitForDeployment(page, "stopped");
  });
});
