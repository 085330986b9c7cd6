// Issue 18: a person uploads a garbage file through the file picker (refused with the reason)
// and drags the Go example component onto the drop zone (stored, with the inspector's verdict),
// then picks the component in a wasm function node and runs Test.
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { exampleComponent } from "@weir/testkit/function-examples";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, createFlow, dropFromPalette, typeInto } from "./editor-actions";

const b = useBrowser();
let dir = "";
let goFile = "";
let garbageFile = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "weir-e2e-components-"));
  goFile = path.join(dir, "go-transform.wasm");
  await copyFile((await exampleComponent("go")).file, goFile);
  garbageFile = path.join(dir, "garbage.wasm");
  await writeFile(garbageFile, "this is a text file, not a component\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("components page", () => {
  it("refuses garbage, takes a component dropped on the page, then a function node runs it in Test", async () => {
    const page = b.page;
    await page.goto(b.url);
    await byTestId(page, "nav-components").click();
    await page.waitForURL(/\/components$/);
    await byTestId(page, "components-empty").or(byTestId(page, "components-list")).waitFor();

    await byTestId(page, "component-file").setInputFiles(garbageFile);
    const verdict = byTestId(page, "component-verdict");
    await verdict.waitFor({ timeout: 20_000 });
    expect(await verdict.getAttribute("data-ok")).toBe("false");
    expect(await byTestId(page, "component-verdict-reason").textContent()).toMatch(
      /^not a valid Weir component: /,
    );
    await b.shot("garbage refused");

    // A drag from the desktop, as close as Playwright comes: a DataTransfer holding the file,
    // built in the page from the file's bytes, carried through dragenter, dragover and drop.
    const bytes = await readFile(goFile);
    const dataTransfer = await page.evaluateHandle(
      ({ base64, name }) => {
        const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([raw], name, { type: "application/wasm" }));
        return transfer;
      },
      { base64: bytes.toString("base64"), name: path.basename(goFile) },
    );
    const zone = byTestId(page, "component-drop");
    await zone.dispatchEvent("dragenter", { dataTransfer });
    await zone.dispatchEvent("dragover", { dataTransfer });
    await expect.poll(() => zone.getAttribute("data-over")).toBe("true");
    await b.shot("component dragged over");
    await zone.dispatchEvent("drop", { dataTransfer });
    await expect.poll(() => verdict.getAttribute("data-ok"), { timeout: 30_000 }).toBe("true");
    const sha = (await byTestId(page, "component-verdict-sha").textContent()) ?? "";
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(await verdict.textContent()).toMatch(/World .*weir.*exports .*process/);
    const row = byTestId(page, `component-row-${sha}`);
    await row.waitFor();
    expect(await row.textContent()).toContain("go-transform.wasm");
    expect(await byTestId(page, `component-size-${sha}`).textContent()).toMatch(/MiB|KiB/);
    await b.shot("go component stored");

    const flowId = await createFlow(page, b.url, "e2e runs a component");
    const fn = await dropFromPalette(page, "function", 342, 250);
    await byTestId(page, `node-${fn}`).click();
    await byTestId(page, "inspector-tab-settings").click();
    await byTestId(page, "runtime-select").selectOption("wasm");
    await byTestId(page, "artifact-select").selectOption(sha);
    await b.shot("component picked");
    await byTestId(page, "tab-test").click();
    await typeInto(page, "test-input", '[{ "value": { "name": "ada", "amount": 21 } }]');
    await byTestId(page, "test-run").click();
    const output = byTestId(page, "test-output-0-out");
    await expect
      .poll(async () => (await output.textContent()) ?? "", { timeout: 30_000 })
      .toMatch(/"doubled":\s*42/);
    expect(await output.textContent()).toContain("ADA");
    await b.shot("component tested");

    await byTestId(page, "save-button").click();
    await byTestId(page, "editor-dirty").waitFor({ state: "detached" });
    await page.goto(`${b.url}/components`);
    await byTestId(page, `component-flows-${sha}`).getByText("e2e runs a component").waitFor();
    expect(await byTestId(page, `component-flows-${sha}`).locator("a").getAttribute("href")).toBe(
      `/flows/${flowId}`,
    );
  });
});
