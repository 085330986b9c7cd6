// Issue #17: byte values in the editor's panels. http-ingest → function → log, deployed from the
// editor; raw bytes POSTed (application/octet-stream) to the URL the inspector shows. The log
// sink's record, the dead letter of a refused one and the edge peek show each as its size and a
// preview (text when the bytes are text, else hex), never as an object of indices.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, clickEdge } from "./editor-actions";

const b = useBrowser();

// Bytes starting with 0xee are refused (one attempt): a dead letter holding bytes.
const REFUSE_EE =
  'export default (r) => { if (r.value instanceof Uint8Array && r.value[0] === 0xee) throw new Error("refused"); return r; }';

describe("byte values", () => {
  it("shows byte records in Logs, Dead letters and edge peek as their size and a preview", async () => {
    const { id: flowId } = await b.api<{ id: string }>(
      "flow.create",
      {
        name: "e2e byte values",
        nodes: [
          {
            id: "ingest",
            kind: "source",
            type: "http-ingest",
            name: "uploads",
            position: { x: 0, y: 80 },
            config: { public: true },
          },
          {
            id: "check",
            kind: "function",
            type: "function",
            name: "check",
            position: { x: 300, y: 80 },
            config: { language: "javascript", code: REFUSE_EE, maxAttempts: 1 },
          },
          { id: "out", kind: "sink", type: "log", name: "log", position: { x: 600, y: 80 } },
        ],
        edges: [
          { id: "e1", from: { node: "ingest", port: "out" }, to: { node: "check" } },
          { id: "e2", from: { node: "check", port: "out" }, to: { node: "out" } },
        ],
      },
      "POST",
    );
    const page = b.page;
    await page.goto(`${b.url}/flows/${flowId}`);
    await byTestId(page, "deploy-button").click();
    await expect
      .poll(async () => byTestId(page, "deployment-status").getAttribute("data-state"), { timeout: 20_000 })
      .toBe("running");

    await byTestId(page, "node-ingest").click();
    const ingestUrl = (await byTestId(page, "ingest-url").textContent()) ?? "";
    const send = async (bytes: number[]): Promise<void> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const res = await fetch(ingestUrl, {
          method: "POST",
          headers: { "content-type": "application/octet-stream" },
          body: Buffer.from(bytes),
        });
        if (res.ok) return;
        if (Date.now() > deadline)
          throw new Error(`POST ${ingestUrl}: ${String(res.status)} ${await res.text()}`);
        await page.waitForTimeout(250);
      }
    };

    // Watched from the start, so the peek sees both records.
    await byTestId(page, "fit-view-button").click();
    await clickEdge(page, "e1");
    await byTestId(page, "edge-peek").waitFor();
    // Sampling has started once the panel says nothing crossed yet.
    await byTestId(page, "edge-peek-empty").waitFor();
    await send([...Buffer.from("hello bytes\n")]);
    await send([0xee, 0x00, 0xff, 0x10]);
    await expect
      .poll(() => byTestId(page, "edge-peek-value").allTextContents(), { timeout: 10_000 })
      .toEqual(["4 bytes ee 00 ff 10", '12 bytes "hello bytes\\n"']);
    await b.shot("edge peek of bytes");
    await byTestId(page, "edge-peek-close").click();

    await byTestId(page, "node-out").click();
    await byTestId(page, "tab-logs").click();
    await expect.poll(() => byTestId(page, "logs-line").count(), { timeout: 20_000 }).toBe(1);
    expect(await byTestId(page, "logs-line").first().textContent()).toContain('12 bytes "hello bytes\\n"');
    await b.shot("a byte record in the logs");

    await byTestId(page, "tab-dead-letters").click();
    const letter = page.locator('[data-testid^="dead-letter-"]').filter({ hasText: "refused" });
    await expect.poll(() => letter.count(), { timeout: 20_000 }).toBe(1);
    expect(await letter.textContent()).toContain("4 bytes ee 00 ff 10");
    await b.shot("a byte dead letter");
    await byTestId(page, "stop-button").click();
  });
});
