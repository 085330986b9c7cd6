import { createServer } from "node:http";
import type { Registry } from "prom-client";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { IngestHandler, IngestOptions } from "@weir/connectors";
import { ByteBody } from "@weir/connectors";
import type { FunctionRuntime } from "@weir/domain";
import { errorMessage } from "@weir/domain";
import { ZodError } from "zod";
import type { HttpPolicy } from "./http-guard";
import {
  BodyTooLarge,
  currentHttpPolicy,
  hostAllowed,
  isJsonMediaType,
  originAllowed,
  readBody,
  refuse,
  reply,
} from "./http-guard";
import type { Refusal } from "./endpoint-auth";
import { INTERNAL_KEY_HEADER, checkIngestToken, checkInternalKey } from "./endpoint-auth";
import type { Logger } from "./logger";
import { trigger } from "./trigger";
import type { StreamRoute, StreamRouteOptions } from "./requests/request-routes";
import { withIncomingTrace } from "./tracing/trace-context";

export const TRIGGER_MAX_BODY = 8 * 1024 * 1024;

function isOctetStream(header: string | undefined): boolean {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() === "application/octet-stream";
}
/** A peek call is a few ids. */
const PEEK_MAX_BODY = 4096;

interface Route {
  handler: IngestHandler;
  maxBodyBytes: number;
  /** Accepts POSTs without the node's ingest token. */
  public: boolean;
  /** An `http-request` source: answers the request itself, streaming (requests/request-routes.ts). */
  serve?: StreamRoute;
}

/** What the server checks callers against (endpoint-auth.ts). */
export interface EndpointAuth {
  /** WEIR_INTERNAL_KEY, which /trigger requires; undefined refuses every /trigger. */
  internalKey: string | undefined;
  /** A node's current ingest token, which its POSTs require unless it is public. */
  ingestToken(flowId: string, nodeId: string): Promise<string>;
}

/**
 * The engine's HTTP endpoint: `POST /ingest/<flowId>/<nodeId>` feeds a running `http-ingest`
 * source (with the node's ingest token unless it is public), answering with how many records
 * were accepted once they are queued in the flow; `POST /trigger` runs code on sample records
 * (only for the web process, which shows WEIR_INTERNAL_KEY: the API's functions.trigger calls it,
 * because the web process never runs user code); `GET /health` (live), `/ready` (database
 * reachable, loop running) and `/metrics` (Prometheus). Every request passes http-guard.ts
 * first: an allowed Host, no foreign Origin, `application/json`, a body within the limit; the
 * key or token is checked before the body is read.
 */
/** What `/metrics` and `/ready` report; given by the engine once it has made them. */
export interface Observability {
  metrics: Registry;
  /** Null when ready, else why not (e.g. the database is unreachable). */
  notReady: () => Promise<string | null>;
}

export class IngestServer {
  private readonly routes = new Map<string, Route>();
  private observability: Observability | undefined;
  private peek: ((body: unknown) => Promise<unknown>) | undefined;
  private trace: ((body: unknown) => Promise<unknown>) | undefined;
  private server: Server | undefined;
  private listenHost = "127.0.0.1";

  constructor(
    private readonly log: Logger,
    private readonly runtimes: ReadonlyMap<string, FunctionRuntime>,
    private readonly resolveSecrets: (names: readonly string[]) => Promise<Record<string, string>>,
    private readonly loadArtifact: (sha256: string) => Promise<Uint8Array>,
    private readonly auth: EndpointAuth,
  ) {}

  register(flowId: string, nodeId: string, handler: IngestHandler, options: IngestOptions): void {
    this.routes.set(`${flowId}/${nodeId}`, {
      handler,
      maxBodyBytes: options.maxBodyBytes,
      public: options.public === true,
    });
  }

  /** Routes an `http-request` source: its POSTs pass the same checks, then `serve` answers them. */
  registerStream(flowId: string, nodeId: string, options: StreamRouteOptions): void {
    const handler = (): Promise<{ accepted: number }> => Promise.reject(new Error("a request route streams"));
    this.routes.set(`${flowId}/${nodeId}`, {
      handler,
      maxBodyBytes: options.maxBodyBytes,
      public: options.public,
      serve: options.serve,
    });
  }

  observe(observability: Observability): void {
    this.observability = observability;
  }

  /** Serves `POST /peek` (internal key only): edge peek on a deployment this engine runs (peek/peek-route.ts). */
  servePeek(handler: (body: unknown) => Promise<unknown>): void {
    this.peek = handler;
  }

  /** Serves `POST /trace` (internal key only): the spans of a trace this engine keeps (tracing/trace-route.ts). */
  serveTrace(handler: (body: unknown) => Promise<unknown>): void {
    this.trace = handler;
  }

  unregister(flowId: string, nodeId: string): void {
    this.routes.delete(`${flowId}/${nodeId}`);
  }

  async listen(port: number, host: string): Promise<number> {
    this.listenHost = host;
    const server = createServer((req, res) => {
      const policy = currentHttpPolicy(this.listenHost);
      this.handle(req, res, policy).catch((error: unknown) => {
        this.log.error(`ingest request failed: ${errorMessage(error)}`);
        if (!res.headersSent) refuse(req, res, policy, 500, "internal error");
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

  /** Reads and parses a JSON body, answering (and closing) on a wrong type, size or syntax. */
  private async jsonBody(
    req: IncomingMessage,
    res: ServerResponse,
    policy: HttpPolicy,
    limit: number,
  ): Promise<{ ok: true; body: unknown } | { ok: false }> {
    if (!isJsonMediaType(req.headers["content-type"])) {
      const given = req.headers["content-type"] ?? "none";
      refuse(req, res, policy, 415, `content-type must be application/json (got ${given})`);
      return { ok: false };
    }
    let text: string;
    try {
      text = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) refuse(req, res, policy, 413, `body larger than ${limit} bytes`);
      else refuse(req, res, policy, 400, `bad request body: ${errorMessage(error)}`);
      return { ok: false };
    }
    try {
      return { ok: true, body: JSON.parse(text) as unknown };
    } catch (error) {
      reply(req, res, policy, 400, { error: `body is not valid JSON: ${errorMessage(error)}` });
      return { ok: false };
    }
  }

  private async handleTrigger(req: IncomingMessage, res: ServerResponse, policy: HttpPolicy): Promise<void> {
    const parsed = await this.jsonBody(req, res, policy, TRIGGER_MAX_BODY);
    if (!parsed.ok) return;
    try {
      reply(
        req,
        res,
        policy,
        200,
        await trigger(parsed.body, this.runtimes, this.resolveSecrets, this.loadArtifact),
      );
    } catch (error) {
      const message =
        error instanceof ZodError
          ? error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")
          : errorMessage(error);
      reply(req, res, policy, 400, { error: message });
    }
  }

  private async handlePeek(
    req: IncomingMessage,
    res: ServerResponse,
    policy: HttpPolicy,
    peek: (body: unknown) => Promise<unknown>,
  ): Promise<void> {
    const parsed = await this.jsonBody(req, res, policy, PEEK_MAX_BODY);
    if (!parsed.ok) return;
    try {
      reply(req, res, policy, 200, await peek(parsed.body));
    } catch (error) {
      const message =
        error instanceof ZodError
          ? error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")
          : errorMessage(error);
      reply(req, res, policy, 400, { error: message });
    }
  }

  private refuseAuth(req: IncomingMessage, res: ServerResponse, policy: HttpPolicy, refusal: Refusal): void {
    if (refusal.status === 401) res.setHeader("www-authenticate", 'Bearer realm="weir engine"');
    refuse(req, res, policy, refusal.status, refusal.error);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, policy: HttpPolicy): Promise<void> {
    if (!hostAllowed(policy, req.headers.host)) {
      const host = req.headers.host ?? "none";
      refuse(
        req,
        res,
        policy,
        421,
        `host '${host}' is not one this engine answers to; add it to WEIR_ALLOWED_HOSTS`,
      );
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(policy, origin)) {
      refuse(
        req,
        res,
        policy,
        403,
        `origin '${origin}' may not call the engine; allow it with WEIR_CORS_ORIGINS`,
      );
      return;
    }
    const url = new URL(req.url ?? "/", "http://engine");
    if (req.method === "OPTIONS" && origin !== undefined) {
      // A CORS preflight from an allowed origin (any other was refused above).
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-allow-methods", "POST, PUT, GET");
      res.setHeader("access-control-allow-headers", `content-type, authorization, ${INTERNAL_KEY_HEADER}`);
      res.setHeader("access-control-max-age", "600");
      res.setHeader("vary", "Origin");
      res.statusCode = 204;
      res.end();
      return;
    }
    // Liveness: the process serves HTTP. (`/healthz` is the name older setups probe.)
    if (req.method === "GET" && (url.pathname === "/health" || url.pathname === "/healthz")) {
      reply(req, res, policy, 200, { ok: true });
      return;
    }
    // Readiness: the engine reaches its database and runs its reconcile loop.
    if (req.method === "GET" && url.pathname === "/ready") {
      const reason = this.observability ? await this.observability.notReady() : "starting";
      if (reason === null) reply(req, res, policy, 200, { ready: true });
      else refuse(req, res, policy, 503, `not ready: ${reason}`);
      return;
    }
    if (req.method === "GET" && url.pathname === "/metrics" && this.observability) {
      const { metrics } = this.observability;
      res.statusCode = 200;
      res.setHeader("content-type", metrics.contentType);
      res.end(await metrics.metrics());
      return;
    }
    if (req.method === "POST" && url.pathname === "/trigger") {
      const refusal = checkInternalKey(req, this.auth.internalKey);
      if (refusal) {
        this.refuseAuth(req, res, policy, refusal);
        return;
      }
      await this.handleTrigger(req, res, policy);
      return;
    }
    if (req.method === "POST" && url.pathname === "/peek" && this.peek) {
      const refusal = checkInternalKey(req, this.auth.internalKey);
      if (refusal) {
        this.refuseAuth(req, res, policy, refusal);
        return;
      }
      await this.handlePeek(req, res, policy, this.peek);
      return;
    }
    if (req.method === "POST" && url.pathname === "/trace" && this.trace) {
      const refusal = checkInternalKey(req, this.auth.internalKey);
      if (refusal) {
        this.refuseAuth(req, res, policy, refusal);
        return;
      }
      await this.handlePeek(req, res, policy, this.trace);
      return;
    }
    const match = /^\/ingest\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) {
      refuse(req, res, policy, 404, "not found: POST /ingest/<flowId>/<nodeId>");
      return;
    }
    // PUT (what `curl -T file` sends) uploads to an http-request source, as POST does.
    const put = req.method === "PUT";
    if (req.method !== "POST" && !put) {
      refuse(req, res, policy, 405, "use POST");
      return;
    }
    const [, flowId = "", nodeId = ""] = match;
    const route = this.routes.get(`${flowId}/${nodeId}`);
    if (!route) {
      refuse(
        req,
        res,
        policy,
        404,
        `no running http-ingest node '${nodeId}' of flow '${flowId}' on this engine`,
      );
      return;
    }
    if (!route.public) {
      const refusal = await checkIngestToken(req, () => this.auth.ingestToken(flowId, nodeId));
      if (refusal) {
        this.refuseAuth(req, res, policy, refusal);
        return;
      }
    }
    if (put && !route.serve) {
      refuse(req, res, policy, 405, "use POST (PUT uploads to an http-request source)");
      return;
    }
    const contentType = req.headers["content-type"];
    if (route.serve && !isJsonMediaType(contentType)) {
      // Any body but JSON is a byte stream, of any size: read as the flow takes it, never whole.
      await route.serve(req, res, new ByteBody(req, contentType));
      return;
    }
    if (!route.serve && isOctetStream(contentType)) {
      // HTTP ingest of bytes: streamed as chunks the same way, answered with their count.
      try {
        reply(req, res, policy, 200, await route.handler(new ByteBody(req, contentType)));
      } catch (error) {
        if (!res.headersSent) reply(req, res, policy, 400, { error: errorMessage(error) });
      }
      return;
    }
    const parsed = await this.jsonBody(req, res, policy, route.maxBodyBytes);
    if (!parsed.ok) return;
    if (route.serve) {
      await route.serve(req, res, parsed.body);
      return;
    }
    try {
      // The records it emits continue the caller's trace (an incoming `traceparent`).
      const accepted = await withIncomingTrace(req.headers.traceparent, () => route.handler(parsed.body));
      reply(req, res, policy, 200, accepted);
    } catch (error) {
      reply(req, res, policy, 400, { error: errorMessage(error) });
    }
  }
}
