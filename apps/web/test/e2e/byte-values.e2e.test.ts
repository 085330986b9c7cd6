// Issue #17: byte values in the editor's panels. http-ingest → function → log, deployed from the
// editor; raw bytes POSTed (application/octet-stream) to the URL the inspector shows. The log
// sink's record, the dead letter of a refused one and the edge peek show each as its size and a
// preview (text when the bytes are text, else hex), never as an object of indices.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { deployIngestFlow } from "./ingest-flow";
import { byTestId, clickEdge } from "./editor-actions";

const b = useBrowser();

// Bytes starting with 0xee are refused (one attempt): a dead letter holding bytes.
const REFUSE_EE =
  'export default (r) => { if (r.value instanceof Uint8Array && r.value[0] === 0xee) throw new Error("refused"); return r; }';

describe("byte values", () => {
  it("shows byte records in Logs, Dead letters and edge peek as their size and a preview", async () => {
    const page = b.page;
    const { post } = await deployIngestFlow(b, {
      name: "e2e byte values",
      ingestName: "uploads",
      fn: { id: "check", code: REFUSE_EE, maxAttempts: 1 },
    });
    const send = (bytes: number[]): Promise<void> => post(Buffer.from(bytes), "application/octet-stream");

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
