import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { IngestHandler } from "@weir/connectors";
import type { FunctionRuntime } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { ZodError } from "zod";
import type { Logger } from "./logger";
import { trigger } from "./trigger";

const TRIGGER_MAX_BODY = 8 * 1024 * 1024;

interface Route {
  handler: IngestHandler;
  maxBodyBytes: number;
}

class BodyTooLarge extends Error {}

/**
 * The engine's HTTP endpoint: `POST /ingest/<flowId>/<nodeId>` feeds a running `http-ingest`
 * source, answering with how many records were accepted once they are queued in the flow;
 * `POST /trigger` runs code on sample records (the API's functions.trigger calls it, because
 * the web process never runs user code); `GET /healthz`.
 */
export class IngestServer {
  private readonly routes = new Map<string, Route>();
  private server: Server | undefined;

  constructor(
    private readonly log: Logger,
    private readonly runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly resolveSecrets: (names: readonly string[]) => Promise<Record<string, string>>,
    private readonly loadArtifact: (sha256: string) => Promise<Uint8Array>,
  ) {}

  register(flowId: string, nodeId: string, handler: IngestHandler, options: { maxBodyBytes: number }): void {
    this.routes.set(`${flowId}/${nodeId}`, { handler, maxBodyBytes: options.maxBodyBytes });
  }

  unregister(flowId: string, nodeId: string): void {
    this.routes.delete(`${flowId}/${nodeId}`);
  }

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error(`ingest request failed: ${errorMessage(error)}`);
        if (!res.headersSent) reply(res, 500, { error: "internal error" });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  private async handleTrigger(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, TRIGGER_MAX_BODY));
    } catch (error) {
      reply(res, error instanceof BodyTooLarge ? 413 : 400, {
        error: `bad request body: ${errorMessage(error)}`,
      });
      return;
    }
    try {
      reply(res, 200, await trigger(body, this.runtimes, this.resolveSecrets, this.loadArtifact));
    } catch (error) {
      const message =
        error instanceof ZodError
          ? error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")
          : errorMessage(error);
      reply(res, 400, { error: message });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://engine");
    if (req.method === "GET" && url.pathname === "/healthz") {
      reply(res, 200, { ok: true });
      return;
    }
    if (req.method === "POST" && url.pathname === "/trigger") {
      await this.handleTrigger(req, res);
      return;
    }
    const match = /^\/ingest\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) {
      reply(res, 404, { error: "not found: POST /ingest/<flowId>/<nodeId>" });
      return;
    }
    if (req.method !== "POST") {
      reply(res, 405, { error: "use POST" });
      return;
    }
    const [, flowId = "", nodeId = ""] = match;
    const route = this.routes.get(`${flowId}/${nodeId}`);
    if (!route) {
      reply(res, 404, {
        error: `no running http-ingest node '${nodeId}' of flow '${flowId}' on this engine`,
      });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, route.maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyTooLarge)
        reply(res, 413, { error: `body larger than ${route.maxBodyBytes} bytes` });
      else reply(res, 400, { error: `body is not valid JSON: ${errorMessage(error)}` });
      return;
    }
    try {
      reply(res, 200, await route.handler(body));
    } catch (error) {
      reply(res, 400, { error: errorMessage(error) });
    }
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
