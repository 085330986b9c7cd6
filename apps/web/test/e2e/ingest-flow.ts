// The flow the running-flow panel stories share: http-ingest → one function → log. It is made
// through the API because these stories test what a running flow shows, not how it is drawn
// (other stories draw flows by hand); it is then opened in the editor and deployed with its button.
import type { BrowserTest } from "./browser";
import { byTestId, waitForDeployment } from "./editor-actions";

export interface IngestFlowOptions {
  name: string;
  /** The ingest node's display name. */
  ingestName: string;
  /** The function node's id and display name, its JavaScript and its attempts per record. */
  fn: { id: string; code: string; maxAttempts?: number };
}

export interface DeployedIngestFlow {
  flowId: string;
  /** The URL the ingest node's inspector shows. */
  ingestUrl: string;
  /** POSTs one body, retrying for 20 s while the deployment does not take records yet. */
  post: (body: BodyInit, contentType: string) => Promise<void>;
}

export async function deployIngestFlow(
  b: BrowserTest,
  options: IngestFlowOptions,
): Promise<DeployedIngestFlow> {
  const { fn } = options;
  const { id: flowId } = await b.api<{ id: string }>(
    "flow.create",
    {
      name: options.name,
      nodes: [
        {
          id: "ingest",
          kind: "source",
          type: "http-ingest",
          name: options.ingestName,
          position: { x: 0, y: 80 },
          config: { public: true },
        },
        {
          id: fn.id,
          kind: "function",
          type: "function",
          name: fn.id,
          position: { x: 300, y: 80 },
          config: {
            language: "javascript",
            code: fn.code,
            ...(fn.maxAttempts !== undefined ? { maxAttempts: fn.maxAttempts } : {}),
          },
        },
        { id: "out", kind: "sink", type: "log", name: "log", position: { x: 600, y: 80 } },
      ],
      edges: [
        { id: "e1", from: { node: "ingest", port: "out" }, to: { node: fn.id } },
        { id: "e2", from: { node: fn.id, port: "out" }, to: { node: "out" } },
      ],
    },
    "POST",
  );
  const page = b.page;
  await page.goto(`${b.url}/flows/${flowId}`);
  await byTestId(page, "deploy-button").click();
  await waitForDeployment(page, "running");
  await byTestId(page, "node-ingest").click();
  const ingestUrl = (await byTestId(page, "ingest-url").textContent()) ?? "";
  const post = async (body: BodyInit, contentType: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(ingestUrl, { method: "POST", headers: { "content-type": contentType }, body });
      if (res.ok) return;
      if (Date.now() > deadline)
        throw new Error(`POST ${ingestUrl}: ${String(res.status)} ${await res.text()}`);
      await page.waitForTimeout(250);
    }
  };
  return { flowId, ingestUrl, post };
}
